"""The migration state table: what may follow what, and nothing else."""
import pytest

from godwit import exception
from godwit.compute import states


def test_every_status_has_its_successors_and_terminal_ones_have_none():
    assert set(states.MIGRATION_TRANSITIONS) == set(states.MIGRATION_STATUSES)
    for status in states.TERMINAL:
        assert states.MIGRATION_TRANSITIONS[status] == set()
    for status, following in states.MIGRATION_TRANSITIONS.items():
        assert following <= set(states.MIGRATION_STATUSES), status


@pytest.mark.parametrize("current, new", [
    (states.PRE_MIGRATING, states.MIGRATING),
    (states.MIGRATING_STEP2, states.POST_MIGRATING),
    (states.VERIFY_MIGRATION, states.REVERTED),
    (states.REVERTED, states.FINISHED),
    (states.MIGRATING, states.CANCELLED),
])
def test_allowed_transitions_pass(current, new):
    states.check_transition(current, new)


@pytest.mark.parametrize("current, new", [
    (states.PRE_MIGRATING, states.POST_MIGRATING),   # skips the copy
    (states.POST_MIGRATING, states.CANCELLED),        # too late to cancel
    (states.FINISHED, states.MIGRATING),              # terminal
    (states.VERIFY_MIGRATION, states.MIGRATING),      # backwards
    (states.CANCELLED, states.FINISHED),
])
def test_other_transitions_are_refused_loudly(current, new):
    with pytest.raises(exception.InvalidMigrationTransition) as caught:
        states.check_transition(current, new)
    assert current in str(caught.value) and new in str(caught.value)


def test_migration_task_states_show_nova_statuses():
    assert states.status_of(states.ACTIVE, states.RESIZE_PREP) == "RESIZE"
    assert states.status_of(states.STOPPED, states.RESIZE_MIGRATED) == "RESIZE"
    assert states.status_of(states.RESIZED, None) == "VERIFY_RESIZE"
    assert states.status_of(states.RESIZED, states.RESIZE_REVERTING) == "REVERT_RESIZE"
