"""What the REST layer calls: checks, state changes in the database, then casts.

Each method does its checks first and changes nothing when one fails; state changes are
compare-and-swap updates, so two racing requests cannot both start an action (the loser
gets a 409).
"""
from godwit import exception
from godwit.compute import build, quota, states, terminate
from godwit.compute.rpcapi import ComputeAPI
from godwit.conf import CONF
from godwit.db import api as db
from godwit.db import models
from godwit.scheduler.rpcapi import SchedulerAPI


class API:

    def __init__(self):
        self.compute_rpcapi = ComputeAPI()
        self.scheduler_rpcapi = SchedulerAPI()

    # --- reading ---------------------------------------------------------------------------

    def get(self, context, instance_uuid):
        """An instance the caller may see; another project's is "not found" (never 403)."""
        project_id = None if context.can_see_all_projects() else context.project_id
        return db.instance_get(instance_uuid, project_id=project_id, details=True)

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
               description=None, availability_zone=None, key_name=None, count=1):
        """Records the instances, asks the scheduler for hosts, and casts the builds.

        Returns the new instances (in BUILD). When no host fits, they go to ERROR with a
        fault, as in Nova: the request itself still succeeds.
        """
        flavor = db.flavor_get(flavorid)
        if flavor.disabled:
            raise exception.FlavorNotFound(flavor_id=flavorid)
        image = db.image_get(image_ref, project_id=context.project_id)
        if image.status != "active":
            raise exception.Invalid(reason=f"Image {image_ref} is not active.")
        self._check_image_fits(image, flavor)
        quota.check_instances(context.project_id, flavor, count, metadata)
        common = self._instance_values(context, flavor, image, networks, description,
                                       availability_zone, key_name)
        instances = [db.instance_create(dict(common, display_name=display_name), metadata)
                     for display_name in _names(name, count)]
        self._schedule_and_build(context, instances, flavor, image)
        return instances

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
            description=description, project_id=context.project_id,
            user_id=context.user_id, flavorid=flavor.flavorid, flavor_name=flavor.name,
            flavor_extra_specs=dict(flavor.extra_specs or {}), image_ref=image.uuid,
            vcpus=flavor.vcpus, memory_mb=flavor.memory_mb, root_gb=flavor.root_gb,
            ephemeral_gb=flavor.ephemeral_gb, swap=flavor.swap, networks=networks,
            availability_zone=zone, key_name=key_name, vm_state=states.BUILDING,
            task_state=states.SCHEDULING, power_state=states.NOSTATE,
            reservation_id="r-" + models.new_uuid()[:8])

    def _schedule_and_build(self, context, instances, flavor, image):
        uuids = [instance.uuid for instance in instances]
        spec = {"vcpus": flavor.vcpus, "memory_mb": flavor.memory_mb,
                "disk_gb": flavor.root_gb + flavor.ephemeral_gb,
                "image_hypervisor_type": image.hypervisor_type,
                "availability_zone": instances[0].availability_zone}
        try:
            selections = self.scheduler_rpcapi.select_destinations(context, spec, uuids)
        except exception.NoValidHost as err:
            for instance in instances:
                build.fail(instance, err.message, states.SCHEDULING)
            return
        for uuid, hosts in zip(uuids, selections):
            self.compute_rpcapi.build_and_run_instance(context, hosts[0], uuid, hosts[1:])

    # --- power actions -------------------------------------------------------------------------

    def start(self, context, instance_uuid):
        instance = self._begin(context, instance_uuid, states.START)
        self.compute_rpcapi.start_instance(context, instance.host, instance.uuid)

    def stop(self, context, instance_uuid):
        instance = self._begin(context, instance_uuid, states.STOP)
        self.compute_rpcapi.stop_instance(context, instance.host, instance.uuid)

    def reboot(self, context, instance_uuid, hard):
        action = states.REBOOT_HARD if hard else states.REBOOT_SOFT
        instance = self._begin(context, instance_uuid, action)
        self.compute_rpcapi.reboot_instance(context, instance.host, instance.uuid, hard)

    def _begin(self, context, instance_uuid, action):
        """Moves the instance into ``action``'s task state, or raises 409 saying why not."""
        instance = self.get(context, instance_uuid)
        if instance.locked and not context.can_see_all_projects():
            raise exception.Conflict(f"Instance {instance_uuid} is locked")
        if instance.host is None:
            raise exception.InstanceInvalidState(action=action.name, instance_uuid=instance.uuid,
                                                 attr="vm_state", state=instance.vm_state)
        won = db.instance_update(instance.uuid, {"task_state": action.task_state},
                                 expected={"vm_state": action.vm_states, "task_state": None})
        if not won:
            current = db.instance_get(instance.uuid)
            attr, state = (("task_state", current.task_state) if current.task_state
                           else ("vm_state", current.vm_state))
            raise exception.InstanceInvalidState(action=action.name, instance_uuid=instance.uuid,
                                                 attr=attr, state=state)
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
            terminate.forget(instance)


def _names(name, count):
    """One server keeps its name; several are ``name-1`` ... ``name-N``, as in Nova."""
    return [name] if count == 1 else [f"{name}-{index}" for index in range(1, count + 1)]


def _host_is_up(host):
    services = db.service_list(host=host, binary="godwit-compute")
    return bool(services) and db.service_is_up(services[0], CONF.service_down_time)

