from godwit.compute import states


def test_api_status_from_vm_and_task_state():
    assert states.status_of(states.ACTIVE, None) == "ACTIVE"
    assert states.status_of(states.BUILDING, states.SCHEDULING) == "BUILD"
    assert states.status_of(states.STOPPED, None) == "SHUTOFF"
    assert states.status_of(states.ACTIVE, states.REBOOTING_HARD) == "HARD_REBOOT"
    assert states.status_of(states.ACTIVE, states.POWERING_OFF) == "ACTIVE"
    assert states.status_of(states.ERROR, None) == "ERROR"


def test_actions_start_only_from_allowed_states():
    assert states.START.vm_states == {states.STOPPED}
    assert states.ACTIVE in states.STOP.vm_states
    assert states.STOPPED not in states.REBOOT_SOFT.vm_states
    assert states.STOPPED in states.REBOOT_HARD.vm_states
