"""What the REST layer calls: checks, state changes in the database, then casts.

Each method does its checks first and changes nothing when one fails; state changes are
compare-and-swap updates, so two racing requests cannot both start an action (the loser
gets a 409).
"""
from godwit import exception
from godwit.compute import (
    build,
    flavors,
    flush,
    live_migration,
    quota,
    states,
    terminate,
    vm_meta,
)
from godwit.compute import migration as migrations
from godwit.compute.rpcapi import ComputeAPI
from godwit.compute.security_groups import SecurityGroupAPI
from godwit.conf import CONF
from godwit.db import api as db
from godwit.db import hierarchy, models
from godwit.ha import events, fencing
from godwit.scheduler.rpcapi import SchedulerAPI


class API:

    def __init__(self):
        self.compute_rpcapi = ComputeAPI()
        self.scheduler_rpcapi = SchedulerAPI()
        self.security_groups = SecurityGroupAPI(self.compute_rpcapi)

    # --- reading ---------------------------------------------------------------------------

    def get(self, context, instance_uuid, details=False):
        """An instance the caller may see; another project's is "not found" (never 403).

        ``details`` also loads its metadata and faults (what a server's view shows).
        """
        project_id = None if context.can_see_all_projects() else context.project_id
        return db.instance_get(instance_uuid, project_id=project_id, details=details)

    def list(self, context, filters=None, all_projects=False, limit=None, marker=None):
        project_id = None if (all_projects and context.can_see_all_projects()) \
            else context.project_id
        filters = dict(filters or {})
        if filters.get("project_id") and context.can_see_all_projects():
            project_id = filters.pop("project_id")
        return db.instance_list(project_id=project_id, filters=filters, limit=limit,
                                marker=marker, details=True)

    # --- create ------------------------------------------------------------------------------

    def create(self, context, name, flavorid, image_ref, networks="none", metadata=None,
               description=None, availability_zone=None, key_name=None, count=1, host=None,
               security_groups=None, placement=None):
        """Records the instances, asks the scheduler for hosts, and casts the builds.

        Returns the new instances (in BUILD). When no host fits, they go to ERROR with a
        fault, as in Nova: the request itself still succeeds. A named ``host`` (the caller
        is allowed to name one) is the only candidate, asked for before anything is
        recorded: when it cannot take the instances the request fails (400, saying why).

        Placement metadata (godwit.compute.vm_meta) comes from ``placement`` (checked
        already) and from the ``godwit:*`` keys of ``metadata``, which are stored as the
        instance's fields instead of as metadata.
        """
        placement = {**vm_meta.from_metadata(metadata), **(placement or {})}
        metadata = {key: value for key, value in (metadata or {}).items()
                    if key not in vm_meta.METADATA_KEYS}
        flavor = db.flavor_get(flavorid)
        if flavor.disabled:
            raise exception.FlavorNotFound(flavor_id=flavorid)
        image = db.image_get(image_ref, project_id=context.project_id)
        if image.status != "active":
            raise exception.Invalid(reason=f"Image {image_ref} is not active.")
        self._check_image_fits(image, flavor)
        quota.check_instances(context.project_id, flavor, count, metadata)
        groups = self.security_groups.groups_for_create(context, security_groups)
        common = dict(self._instance_values(context, flavor, image, networks, description,
                                            availability_zone, key_name), **placement)
        spec = _build_spec(flavor, image, availability_zone, host)
        uuids = [models.new_uuid() for _ in range(count)]
        selections = self._select_named(context, spec, uuids) if host else None
        instances = [db.instance_create(dict(common, uuid=uuid, display_name=display_name),
                                        metadata)
                     for uuid, display_name in zip(uuids, _names(name, count))]
        self.security_groups.join(instances, groups)
        self._schedule_and_build(context, instances, spec, selections)
        return instances

    def _select_named(self, context, spec, uuids):
        """The named host for every instance, or a 400 saying why it cannot take them."""
        try:
            return self.scheduler_rpcapi.select_destinations(context, spec, uuids)
        except exception.NoValidHost as err:
            raise exception.Invalid(err.message) from err

    @staticmethod
    def _check_image_fits(image, flavor):
        if image.min_ram and flavor.memory_mb < image.min_ram:
            raise exception.Invalid(reason=f"Flavor's memory is too small for requested "
                                           f"image (needs {image.min_ram} MiB).")
        if image.min_disk and flavor.root_gb and flavor.root_gb < image.min_disk:
            raise exception.Invalid(reason=f"Flavor's disk is too small for requested "
                                           f"image (needs {image.min_disk} GiB).")

    @staticmethod
    def _instance_values(context, flavor, image, networks, description, zone, key_name):
        """What every instance of one request shares, its reservation id included."""
        return dict(
            flavors.instance_values(flavors.from_flavor(flavor)),
            description=description, project_id=context.project_id,
            user_id=context.user_id, image_ref=image.uuid, networks=networks,
            availability_zone=zone, key_name=key_name, vm_state=states.BUILDING,
            task_state=states.SCHEDULING, power_state=states.NOSTATE,
            reservation_id="r-" + models.new_uuid()[:8])

    def _schedule_and_build(self, context, instances, spec, selections=None):
        """Casts the builds to ``selections``, asking the scheduler first if there are none."""
        uuids = [instance.uuid for instance in instances]
        try:
            selections = selections or self.scheduler_rpcapi.select_destinations(context, spec,
                                                                                 uuids)
        except exception.NoValidHost as err:
            for instance in instances:
                build.fail(instance, err.message, states.SCHEDULING)
            return
        for uuid, hosts in zip(uuids, selections):
            self.compute_rpcapi.build_and_run_instance(context, hosts[0], uuid, hosts[1:])

    # --- placement metadata ------------------------------------------------------------------

    def set_placement(self, context, instance_uuid, values):
        """Changes the placement fields given in ``values`` (godwit.compute.vm_meta) and
        leaves the others alone; a bad field is a 400 and changes nothing."""
        self.get(context, instance_uuid)
        fields = vm_meta.validate(values)
        if fields:
            db.instance_update(instance_uuid, fields)
        return db.instance_get(instance_uuid)

    # --- power actions -------------------------------------------------------------------------

    def start(self, context, instance_uuid):
        instance = self._begin(context, self.get(context, instance_uuid), states.START)
        self.compute_rpcapi.start_instance(context, instance.host, instance.uuid)

    def stop(self, context, instance_uuid):
        instance = self._begin(context, self.get(context, instance_uuid), states.STOP)
        self.compute_rpcapi.stop_instance(context, instance.host, instance.uuid)

    def reboot(self, context, instance_uuid, hard):
        action = states.REBOOT_HARD if hard else states.REBOOT_SOFT
        instance = self._begin(context, self.get(context, instance_uuid), action)
        self.compute_rpcapi.reboot_instance(context, instance.host, instance.uuid, hard)

    def suspend(self, context, instance_uuid):
        instance = self._begin(context, self.get(context, instance_uuid), states.SUSPEND)
        self.compute_rpcapi.suspend_instance(context, instance.host, instance.uuid)

    def resume(self, context, instance_uuid):
        instance = self._begin(context, self.get(context, instance_uuid), states.RESUME)
        self.compute_rpcapi.resume_instance(context, instance.host, instance.uuid)

    def _begin(self, context, instance, action):
        """Moves the instance (as just read) into ``action``'s task state, or raises 409.

        The instance must stay on the host it was read on (the compare-and-swap says so).
        It must be idle, or busy with a task ``action`` may interrupt (see
        states.Action): the worker running that task sees the change and gives up.
        A migration's progress starts again from 0, and its request gets a new task token
        (compute.migration.prepare). The instance in memory shows the changes.
        """
        if instance.locked and not context.can_see_all_projects():
            raise exception.Conflict(f"Instance {instance.uuid} is locked")
        if instance.host is None:
            raise exception.InstanceInvalidState(action=action.name, instance_uuid=instance.uuid,
                                                 attr="vm_state", state=instance.vm_state)
        check_cluster_managed(instance, action.name)
        changes = {"task_state": action.task_state}
        if action.task_state == states.RESIZE_PREP:
            changes.update(progress=0, task_token=models.new_uuid())
        won = db.instance_update(instance.uuid, changes,
                                 expected={"vm_state": action.vm_states, "task_state": None,
                                           "host": instance.host})
        if not won and action.interrupts:
            won = db.instance_update(instance.uuid, changes,
                                     expected={"task_state": action.interrupts,
                                               "host": instance.host})
        if not won:
            raise self._invalid_state(instance.uuid, action.name)
        for column, value in changes.items():
            setattr(instance, column, value)
        return instance

    # --- delete ----------------------------------------------------------------------------

    def delete(self, context, instance_uuid):
        """Deletes on the owning host, or right here when no live host owns the instance.

        Allowed in any state. The instance is marked ``deleting`` on the condition that its
        host is still the one read, so a build claiming it at the same moment is noticed
        (and the delete retried against the new host).
        """
        for _ in range(3):
            instance = self.get(context, instance_uuid)
            if instance.locked and not context.can_see_all_projects():
                raise exception.Conflict(f"Instance {instance_uuid} is locked")
            if instance.task_state == states.DELETING:
                return
            check_cluster_managed(instance, "delete")
            if db.instance_update(instance.uuid, {"task_state": states.DELETING},
                                  expected={"host": instance.host,
                                            "task_state": instance.task_state}):
                break
        else:
            raise exception.Conflict(f"Instance {instance_uuid} changed while it was being "
                                     "deleted; try again.")
        if instance.host and _host_is_up(instance.host):
            self.compute_rpcapi.terminate_instance(context, instance.host, instance.uuid)
        else:
            terminate.forget(instance, self.compute_rpcapi)

    # --- resize and cold migration -----------------------------------------------------------

    def resize(self, context, instance_uuid, flavorid, host=None):
        """Moves the instance to ``flavorid``, on a host the scheduler picks (or ``host``)."""
        instance = self.get(context, instance_uuid)
        new_flavor = _resize_flavor(instance, flavorid)
        quota.check_resize(instance.project_id, migrations.current_flavor(instance), new_flavor)
        self._start_migration(context, instance, new_flavor, states.RESIZE, host,
                              CONF.compute.allow_resize_to_same_host)

    def migrate(self, context, instance_uuid, host=None):
        """Cold-migrates the instance, with its flavor, to another host (admin)."""
        instance = self.get(context, instance_uuid)
        self._start_migration(context, instance, migrations.current_flavor(instance),
                              states.MIGRATE, host, same_host=False)

    def _start_migration(self, context, instance, new_flavor, action, host, same_host):
        """Checks, sets ``resize_prep``, asks the scheduler, and casts to the destination.

        A request no host can take is a 400 and leaves the instance as it was.
        """
        if host is not None:
            _check_target_host(instance, host)
        if instance.host is not None:
            _check_host_up(instance.host, action.name, instance.uuid)
        self._begin(context, instance, action)
        spec = {"vcpus": new_flavor["vcpus"], "memory_mb": new_flavor["memory_mb"],
                "disk_gb": flavors.needs(new_flavor)[2],
                "availability_zone": instance.availability_zone,
                "ignore_hosts": [] if same_host else [instance.host],
                "force_hosts": [host] if host else None}
        try:
            hosts = self.scheduler_rpcapi.select_destinations(context, spec,
                                                              [instance.uuid])[0]
        except exception.NoValidHost as err:
            db.instance_update(instance.uuid, {"task_state": None},
                               expected={"task_state": states.RESIZE_PREP})
            raise exception.Invalid(err.message) from err
        self.compute_rpcapi.prepare_migration(context, hosts[0], instance.uuid, new_flavor,
                                              hosts[1:], instance.task_token)

    def confirm_resize(self, context, instance_uuid):
        migration = self._waiting_migration(context, instance_uuid, "confirmResize")
        _check_host_up(migration.source_host, "confirmResize", instance_uuid)
        if not migrations.request_confirm(migration):
            raise self._invalid_state(instance_uuid, "confirmResize")
        self.compute_rpcapi.advance_migration(context, migration.source_host, migration)

    def revert_resize(self, context, instance_uuid):
        migration = self._waiting_migration(context, instance_uuid, "revertResize")
        for host in (migration.dest_host, migration.source_host):
            _check_host_up(host, "revertResize", instance_uuid)
        if not migrations.request_revert(migration, db.instance_get(instance_uuid)):
            raise self._invalid_state(instance_uuid, "revertResize")
        self.compute_rpcapi.advance_migration(context, migration.dest_host, migration)

    def _waiting_migration(self, context, instance_uuid, action):
        """The instance's migration waiting in VERIFY_RESIZE for confirm or revert."""
        instance = self.get(context, instance_uuid)
        if instance.locked and not context.can_see_all_projects():
            raise exception.Conflict(f"Instance {instance_uuid} is locked")
        migration = db.migration_open_for_instance(instance_uuid)
        if instance.vm_state != states.RESIZED or instance.task_state is not None or \
                migration is None or migration.status != states.VERIFY_MIGRATION or \
                migration.outcome is not None:
            raise self._invalid_state(instance_uuid, action)
        check_cluster_managed(instance, action, (migration.source_host, migration.dest_host))
        return migration

    @staticmethod
    def _invalid_state(instance_uuid, action):
        current = db.instance_get(instance_uuid)
        attr, state = (("task_state", current.task_state) if current.task_state
                       else ("vm_state", current.vm_state))
        return exception.InstanceInvalidState(action=action, instance_uuid=instance_uuid,
                                              attr=attr, state=state)

    # --- live migration inside a cluster ------------------------------------------------------

    def migration_hosts(self, context, instance_uuid, start, limit):
        """(total, page of the other hosts of the instance's cluster, ids of those that
        could take it now); see godwit.compute.live_migration."""
        return live_migration.hosts_for(self.get(context, instance_uuid), start, limit)

    def live_migrate(self, context, instance_uuid, host):
        """Live-migrates the instance to ``host`` (id or name) of its cluster (admin)."""
        instance = self.get(context, instance_uuid)
        check_cluster_managed(instance, "live-migrate")
        source = live_migration.check_movable(instance)
        _check_host_up(instance.host, "live-migrate", instance.uuid)
        migration = live_migration.begin(instance, source, host)
        self.compute_rpcapi.live_migrate_instance(context, instance.host, instance.uuid,
                                                  migration.uuid)
        return db.migration_get(migration.uuid)

    def cancel_migration(self, context, migration_id):
        """Stops a migration before the destination owns the instance; it stays on the source."""
        migration = db.migration_get(migration_id)
        check_cluster_managed(db.instance_get(migration.instance_uuid), "cancel migration",
                              (migration.source_host, migration.dest_host))
        if not migrations.request_cancel(migration):
            current = db.migration_get(migration_id)
            raise exception.Conflict(
                f"Migration {migration.uuid} cannot be cancelled in status {current.status}"
                + (f" (already {current.outcome})" if current.outcome else "")
                + ": only a migration in pre-migrating, migrating or migrating_step2 can.")
        self.compute_rpcapi.advance_migration(context, migration.source_host, migration)

    def get_migration(self, context, migration_id):
        return db.migration_get(migration_id)

    def list_migrations(self, context, filters=None, limit=None, marker=None):
        return db.migration_list(filters=filters, limit=limit, marker=marker)

    # --- flush and unflush of a host (godwit.compute.flush) --------------------------------

    def flush_host(self, context, host_ref, concurrency=None, dry_run=False):
        """Starts moving every instance off the host (id or name); with ``dry_run`` only
        returns the plan. Returns (host name, plan or the flush row)."""
        host = _host_name(host_ref)
        if dry_run:
            return host, flush.plan(host)
        return host, self._run_flush(context, host, flush.FLUSH, concurrency)

    def unflush_host(self, context, host_ref, concurrency=None):
        """Starts bringing the host's instances back; returns (host name, the flush row)."""
        host = _host_name(host_ref)
        return host, self._run_flush(context, host, flush.UNFLUSH, concurrency)

    def _run_flush(self, context, host, kind, concurrency):
        """A 409 unless the host's compute worker, which runs the flush, is up."""
        if not _host_is_up(host):
            raise exception.Conflict(f"Host {host} cannot be {kind}ed: its compute service "
                                     "is down (a flush runs on it).")
        row = flush.request(host, kind, concurrency)
        self.compute_rpcapi.run_host_flush(context, host)
        return row

    def flush_status(self, context, host_ref):
        """(host name, maintenance state, last flush row or None)."""
        host = _host_name(host_ref)
        return (host, *flush.status(host))

    # --- HA (godwit.ha) ---------------------------------------------------------------------

    def unfence_host(self, context, host_ref):
        """An admin's word that a fenced host is healthy: back to ready; 409 unless fenced."""
        host = _host_name(host_ref)
        if not fencing.unfence(host):
            raise exception.Conflict(f"Host {host} is not fenced.")
        return host

    def ha_events(self, context, host_ref=None, limit=None):
        """The HA monitor's event log, oldest first (the last ``limit`` events)."""
        host = _host_name(host_ref) if host_ref else None
        return events.list_events(host=host, limit=limit)

    # --- clusters ------------------------------------------------------------------------------

    def cluster_managed_changed(self, context, cluster_uuid):
        """Tells every host of the cluster to follow its (just changed) managed state.

        The workers also check it periodically, so a lost cast only delays the change.
        """
        for placed in hierarchy.placed_list(models.Host, {"cluster_id": cluster_uuid}):
            self.compute_rpcapi.cluster_managed_changed(context, placed.row.name, cluster_uuid)


def _build_spec(flavor, image, availability_zone, host):
    """What the scheduler needs to place a new instance; a named host is the only one."""
    return {"vcpus": flavor.vcpus, "memory_mb": flavor.memory_mb,
            "disk_gb": flavor.root_gb + flavor.ephemeral_gb,
            "image_hypervisor_type": image.hypervisor_type,
            "availability_zone": availability_zone,
            "force_hosts": [host] if host else None}


def _names(name, count):
    """One server keeps its name; several are ``name-1`` ... ``name-N``, as in Nova."""
    return [name] if count == 1 else [f"{name}-{index}" for index in range(1, count + 1)]


def _resize_flavor(instance, flavorid):
    """The flavor to resize to, or a 400 saying what is wrong with it."""
    try:
        flavor = db.flavor_get(flavorid)
    except exception.FlavorNotFound as err:
        raise exception.Invalid(f"Unable to resize: {err.message}") from err
    if flavor.disabled:
        raise exception.Invalid(f"Unable to resize: flavor {flavorid} is disabled.")
    if flavor.flavorid == instance.flavorid:
        raise exception.Invalid("When resizing, instances must change flavor!")
    if flavor.root_gb < instance.root_gb:
        raise exception.Invalid(f"Resize to a smaller disk is not possible: flavor {flavorid} "
                                f"has {flavor.root_gb} GiB, the instance {instance.root_gb} GiB.")
    return flavors.from_flavor(flavor)


def check_cluster_managed(instance, action, hosts=None):
    """A 409 if a host that must act (``hosts``, by default the instance's) is in an
    Unmanaged cluster: its compute worker leaves the hypervisor alone meanwhile (e.g. during
    a hypervisor upgrade, see doc/cluster-upgrades.md)."""
    for host in hosts or (instance.host,):
        cluster = hierarchy.cluster_of_host(host) if host else None
        if cluster is not None and cluster.managed_state == hierarchy.UNMANAGED:
            raise exception.Conflict(
                f"Cannot '{action}' instance {instance.uuid}: its cluster {cluster.name} is "
                f"unmanaged (its hypervisors are being upgraded or serviced); try again once "
                f"an admin manages it again.")


def _host_name(ref):
    """The name of the host ``ref`` (its id or its name) names; 404 if none."""
    try:
        return hierarchy.placed_get(models.Host, ref).row.name
    except exception.PlacementNotFound:
        return hierarchy.placed_get(models.Host, ref, by_name=True).row.name


def _check_target_host(instance, host):
    try:
        db.host_get(host)
    except exception.HostNotFound as err:
        raise exception.Invalid(err.message) from err
    if host == instance.host:
        raise exception.Invalid(f"The target host can't be the same one: instance "
                                f"{instance.uuid} already runs on {host}.")


def _check_host_up(host, action, instance_uuid):
    if not _host_is_up(host):
        raise exception.Conflict(f"Cannot '{action}' instance {instance_uuid}: its compute "
                                 f"host {host}, which must act, is down.")


def _host_is_up(host):
    services = db.service_list(host=host, binary="godwit-compute")
    return bool(services) and db.service_is_up(services[0], CONF.service_down_time)

