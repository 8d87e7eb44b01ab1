"""godwit: an OpenStack-style compute service that moves instances safely and fast."""
