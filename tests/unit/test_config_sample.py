"""etc/godwit/godwit.conf.sample is generated from the options: it must be current."""
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def test_config_sample_is_current(tmp_path):
    output = tmp_path / "godwit.conf.sample"
    subprocess.run([os.path.join(os.path.dirname(sys.executable), "oslo-config-generator"),
                    "--namespace", "godwit", "--namespace", "oslo.messaging",
                    "--namespace", "oslo.log", "--namespace", "oslo.policy",
                    "--output-file", str(output)], check=True, capture_output=True)
    with open(os.path.join(ROOT, "etc", "godwit", "godwit.conf.sample")) as committed:
        assert output.read_text() == committed.read(), \
            "etc/godwit/godwit.conf.sample is stale: run `make config-sample`"
