"""The ``godwit`` command line: talks to the godwit API over HTTP with openstacksdk."""
