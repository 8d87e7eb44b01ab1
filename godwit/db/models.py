"""SQLAlchemy models for the whole data model (ARCHITECTURE §3).

Schema changes are Alembic revisions under ``db/migrations``; a test checks that the
revisions and these models agree.
"""
import datetime
import uuid as uuidlib

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
    true,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def utcnow():
    return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)


def new_uuid():
    return str(uuidlib.uuid4())


def new_hex_id():
    """Keystone-style ids: 32 hex digits."""
    return uuidlib.uuid4().hex


class Base(DeclarativeBase):
    pass


class Timestamps:
    created_at: Mapped[datetime.datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime.datetime | None] = mapped_column(DateTime, onupdate=utcnow)


# --- The CloudStack hierarchy: zone > pod > cluster > host ---------------------------------

ALLOCATION_STATES = ("Enabled", "Disabled")
MANAGED_STATES = ("Managed", "Unmanaged")
MAINTENANCE_STATES = ("ready", "flushing", "flushed", "unflushing", "fenced")


class Zone(Base, Timestamps):
    __tablename__ = "zones"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True, default=new_uuid)
    name: Mapped[str] = mapped_column(String(255), unique=True)
    allocation_state: Mapped[str] = mapped_column(String(16), default="Disabled")


class Pod(Base, Timestamps):
    __tablename__ = "pods"
    __table_args__ = (UniqueConstraint("zone_id", "name"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True, default=new_uuid)
    name: Mapped[str] = mapped_column(String(255))
    zone_id: Mapped[int] = mapped_column(ForeignKey("zones.id"))
    allocation_state: Mapped[str] = mapped_column(String(16), default="Disabled")


class Cluster(Base, Timestamps):
    __tablename__ = "clusters"
    __table_args__ = (UniqueConstraint("pod_id", "name"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True, default=new_uuid)
    name: Mapped[str] = mapped_column(String(255))
    pod_id: Mapped[int] = mapped_column(ForeignKey("pods.id"))
    hypervisor_type: Mapped[str] = mapped_column(String(32))
    allocation_state: Mapped[str] = mapped_column(String(16), default="Disabled")
    managed_state: Mapped[str] = mapped_column(String(16), default="Managed")


class Host(Base, Timestamps):
    """A hypervisor host and its capacity. Usage columns change only by SQL claims."""
    __tablename__ = "hosts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True, default=new_uuid)
    name: Mapped[str] = mapped_column(String(255), unique=True)
    cluster_id: Mapped[int | None] = mapped_column(ForeignKey("clusters.id"))
    hypervisor_type: Mapped[str] = mapped_column(String(32))
    hypervisor_version: Mapped[str | None] = mapped_column(String(64))
    address: Mapped[str | None] = mapped_column(String(255))
    vcpus: Mapped[int] = mapped_column(Integer, default=0)
    memory_mb: Mapped[int] = mapped_column(Integer, default=0)
    disk_gb: Mapped[int] = mapped_column(Integer, default=0)
    vcpus_used: Mapped[int] = mapped_column(Integer, default=0)
    memory_mb_used: Mapped[int] = mapped_column(Integer, default=0)
    disk_gb_used: Mapped[int] = mapped_column(Integer, default=0)
    running_vms: Mapped[int] = mapped_column(Integer, default=0)
    # As the hypervisor last reported them (the mem and load node selectors rank by these).
    memory_free_mb: Mapped[int | None] = mapped_column(Integer)
    load_average: Mapped[float | None] = mapped_column(Float)
    cpu_allocation_ratio: Mapped[float] = mapped_column(Float, default=16.0)
    ram_allocation_ratio: Mapped[float] = mapped_column(Float, default=1.5)
    disk_allocation_ratio: Mapped[float] = mapped_column(Float, default=1.0)
    allocation_state: Mapped[str] = mapped_column(String(16), default="Disabled")
    maintenance_state: Mapped[str] = mapped_column(String(16), default="ready")
    ipmi_address: Mapped[str | None] = mapped_column(String(255))
    ipmi_username: Mapped[str | None] = mapped_column(String(255))
    ipmi_password: Mapped[str | None] = mapped_column(String(255))


class Service(Base, Timestamps):
    __tablename__ = "services"
    __table_args__ = (UniqueConstraint("host", "binary"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True, default=new_uuid)
    host: Mapped[str] = mapped_column(String(255))
    binary: Mapped[str] = mapped_column(String(255))
    topic: Mapped[str] = mapped_column(String(255))
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    disabled_reason: Mapped[str | None] = mapped_column(String(255))
    forced_down: Mapped[bool] = mapped_column(Boolean, default=False)
    last_seen_up: Mapped[datetime.datetime | None] = mapped_column(DateTime)
    report_count: Mapped[int] = mapped_column(Integer, default=0)


class HypervisorCapability(Base, Timestamps):
    """Limits per (hypervisor_type, hypervisor_version); compute.capabilities looks them up.

    The column defaults are not the built-in default: rows the API creates take any field
    left out from ``compute.capabilities.DEFAULT``."""
    __tablename__ = "hypervisor_capabilities"
    __table_args__ = (UniqueConstraint("hypervisor_type", "hypervisor_version"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True, default=new_uuid)
    hypervisor_type: Mapped[str] = mapped_column(String(32))
    hypervisor_version: Mapped[str] = mapped_column(String(64))
    max_guests_limit: Mapped[int] = mapped_column(Integer, default=50)
    security_group_enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    max_data_volumes_limit: Mapped[int] = mapped_column(Integer, default=6)
    storage_motion_supported: Mapped[bool] = mapped_column(Boolean, default=False)


# --- Flavors, images, instances -------------------------------------------------------------

class Flavor(Base, Timestamps):
    __tablename__ = "flavors"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    flavorid: Mapped[str] = mapped_column(String(255), unique=True)
    name: Mapped[str] = mapped_column(String(255), unique=True)
    vcpus: Mapped[int] = mapped_column(Integer)
    memory_mb: Mapped[int] = mapped_column(Integer)
    root_gb: Mapped[int] = mapped_column(Integer, default=0)
    ephemeral_gb: Mapped[int] = mapped_column(Integer, default=0)
    swap: Mapped[int] = mapped_column(Integer, default=0)
    rxtx_factor: Mapped[float] = mapped_column(Float, default=1.0)
    is_public: Mapped[bool] = mapped_column(Boolean, default=True)
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    description: Mapped[str | None] = mapped_column(Text)
    extra_specs: Mapped[dict] = mapped_column(JSON, default=dict)


class Image(Base, Timestamps):
    """A template the cloud offers (served read-only through the Glance v2 subset)."""
    __tablename__ = "images"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True, default=new_uuid)
    name: Mapped[str] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(32), default="active")
    visibility: Mapped[str] = mapped_column(String(16), default="public")
    owner: Mapped[str | None] = mapped_column(String(64))
    disk_format: Mapped[str] = mapped_column(String(32), default="vhd")
    container_format: Mapped[str] = mapped_column(String(32), default="ovf")
    size: Mapped[int] = mapped_column(BigInteger, default=0)
    min_disk: Mapped[int] = mapped_column(Integer, default=0)
    min_ram: Mapped[int] = mapped_column(Integer, default=0)
    checksum: Mapped[str | None] = mapped_column(String(64))
    os_type: Mapped[str | None] = mapped_column(String(32))
    hypervisor_type: Mapped[str | None] = mapped_column(String(32))
    properties: Mapped[dict] = mapped_column(JSON, default=dict)


class Instance(Base, Timestamps):
    """A server. Its flavor is copied in (sizes + flavorid/name), as flavors may be deleted."""
    __tablename__ = "instances"
    __table_args__ = (Index("ix_instances_project_deleted", "project_id", "deleted"),
                      Index("ix_instances_host", "host"))
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True, default=new_uuid)
    display_name: Mapped[str] = mapped_column(String(255))
    description: Mapped[str | None] = mapped_column(String(255))
    project_id: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[str] = mapped_column(String(64))
    flavorid: Mapped[str] = mapped_column(String(255))
    flavor_name: Mapped[str] = mapped_column(String(255))
    flavor_extra_specs: Mapped[dict] = mapped_column(JSON, default=dict)
    image_ref: Mapped[str] = mapped_column(String(36))
    vcpus: Mapped[int] = mapped_column(Integer)
    memory_mb: Mapped[int] = mapped_column(Integer)
    root_gb: Mapped[int] = mapped_column(Integer)
    ephemeral_gb: Mapped[int] = mapped_column(Integer, default=0)
    swap: Mapped[int] = mapped_column(Integer, default=0)
    host: Mapped[str | None] = mapped_column(String(255))
    node: Mapped[str | None] = mapped_column(String(255))
    cluster_id: Mapped[int | None] = mapped_column(ForeignKey("clusters.id"))
    availability_zone: Mapped[str | None] = mapped_column(String(255))
    vm_state: Mapped[str] = mapped_column(String(32))
    task_state: Mapped[str | None] = mapped_column(String(32))
    # Set with resize_prep by the request that set it; its prepare cast names it, so a late
    # cast of an earlier request (cleared by the reconciler since) cannot take over.
    task_token: Mapped[str | None] = mapped_column(String(36))
    power_state: Mapped[int] = mapped_column(Integer, default=0)
    progress: Mapped[int] = mapped_column(Integer, default=0)
    storage_kind: Mapped[str] = mapped_column(String(16), default="local")
    previous_host: Mapped[str | None] = mapped_column(String(255))
    node_limit: Mapped[list | None] = mapped_column(JSON)
    node_selector: Mapped[str | None] = mapped_column(String(32))
    autostart: Mapped[bool] = mapped_column(Boolean, default=True)
    migration_method: Mapped[str | None] = mapped_column(String(32))
    networks: Mapped[str] = mapped_column(String(16), default="none")
    key_name: Mapped[str | None] = mapped_column(String(255))
    reservation_id: Mapped[str | None] = mapped_column(String(255))
    locked: Mapped[bool] = mapped_column(Boolean, default=False)
    launched_at: Mapped[datetime.datetime | None] = mapped_column(DateTime)
    terminated_at: Mapped[datetime.datetime | None] = mapped_column(DateTime)
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    deleted_at: Mapped[datetime.datetime | None] = mapped_column(DateTime)

    # Loaded only where asked for (db.api ``details=True``): the workers never need them.
    metadata_items: Mapped[list["InstanceMetadata"]] = relationship(
        lazy="raise", cascade="all, delete-orphan")
    faults: Mapped[list["InstanceFault"]] = relationship(
        lazy="raise", order_by="InstanceFault.id.desc()", cascade="all, delete-orphan")
    # Read-only here: godwit.db.security_groups adds and removes memberships.
    security_groups: Mapped[list["SecurityGroup"]] = relationship(
        secondary="security_group_instances", lazy="raise", viewonly=True,
        order_by="SecurityGroupInstance.id")


class InstanceMetadata(Base):
    __tablename__ = "instance_metadata"
    __table_args__ = (UniqueConstraint("instance_id", "key"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("instances.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(255))
    value: Mapped[str] = mapped_column(String(255))


class InstanceFault(Base):
    """Why an instance went to ERROR; the newest is shown as the server's ``fault``."""
    __tablename__ = "instance_faults"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("instances.id", ondelete="CASCADE"))
    code: Mapped[int] = mapped_column(Integer)
    message: Mapped[str] = mapped_column(String(255))
    details: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime.datetime] = mapped_column(DateTime, default=utcnow)


class Migration(Base, Timestamps):
    __tablename__ = "migrations"
    __table_args__ = (Index("ix_migrations_instance_status", "instance_uuid", "status"),
                      Index("ix_migrations_status", "status"))
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True, default=new_uuid)
    instance_uuid: Mapped[str] = mapped_column(String(36))
    migration_type: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(32))
    outcome: Mapped[str | None] = mapped_column(String(16))
    source_host: Mapped[str | None] = mapped_column(String(255))
    dest_host: Mapped[str | None] = mapped_column(String(255))
    next_step_host: Mapped[str | None] = mapped_column(String(255))
    old_flavor: Mapped[dict | None] = mapped_column(JSON)
    new_flavor: Mapped[dict | None] = mapped_column(JSON)
    bytes_total: Mapped[int] = mapped_column(BigInteger, default=0)
    bytes_transferred: Mapped[int] = mapped_column(BigInteger, default=0)
    # The base disk's size, copied in the first phase (the second counts on from it).
    base_bytes: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    error: Mapped[str | None] = mapped_column(Text)
    # Whether the instance was running when the migration began (and runs again after).
    power_on: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    # Started by a flush or a fence rather than asked for: it sets the instance's previous_host.
    automatic: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


# --- High availability (godwit.ha) ----------------------------------------------------------


class DiskLease(Base):
    """Which host may write an instance's shared disks (all of them: one lease per instance)."""
    __tablename__ = "disk_leases"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    instance_uuid: Mapped[str] = mapped_column(String(36), unique=True)
    host: Mapped[str] = mapped_column(String(255), index=True)
    acquired_at: Mapped[datetime.datetime] = mapped_column(DateTime, default=utcnow)


class HAEvent(Base):
    """What the HA monitor saw and did: suspect, cleared, fence-*, recover-* (admin API)."""
    __tablename__ = "ha_events"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_at: Mapped[datetime.datetime] = mapped_column(DateTime, default=utcnow)
    host: Mapped[str] = mapped_column(String(255))
    event: Mapped[str] = mapped_column(String(32))
    instance_uuid: Mapped[str | None] = mapped_column(String(36))
    message: Mapped[str | None] = mapped_column(Text)


class HostFence(Base):
    """The HA monitor's business with one host, from suspicion to recovery
    (godwit.ha.host_fences), kept here so that whichever scheduler leads carries it on."""
    __tablename__ = "host_fences"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    host: Mapped[str] = mapped_column(String(255), unique=True)
    status: Mapped[str] = mapped_column(String(16))  # suspect, fencing, fenced
    reason: Mapped[str | None] = mapped_column(Text)
    suspect_since: Mapped[datetime.datetime] = mapped_column(DateTime)
    # When the saving throws run out (or a failed fence is tried again).
    deadline: Mapped[datetime.datetime] = mapped_column(DateTime)
    # The monitor carrying the fence out, until when; then another may take it over.
    owner: Mapped[str | None] = mapped_column(String(255))
    claimed_until: Mapped[datetime.datetime | None] = mapped_column(DateTime)
    # 1 while the host is being fenced, else NULL: unique, so one fence runs at a time.
    slot: Mapped[int | None] = mapped_column(Integer, unique=True)


class HostFlush(Base, Timestamps):
    """A host's flush or unflush, the last one asked for (godwit.compute.flush): one row per
    host. ``generation`` counts requests; a runner whose generation is no longer the row's
    has been cancelled and starts no further move."""
    __tablename__ = "host_flushes"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    host: Mapped[str] = mapped_column(String(255), unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    generation: Mapped[int] = mapped_column(Integer, default=1)
    concurrency: Mapped[int] = mapped_column(Integer)
    total: Mapped[int] = mapped_column(Integer, default=0)
    done: Mapped[int] = mapped_column(Integer, default=0)
    # [{"instance", "target", "method"}] being moved now; [{"instance", "reason"}].
    current: Mapped[list] = mapped_column(JSON, default=list)
    failures: Mapped[list] = mapped_column(JSON, default=list)
    # Instances flushes shut down, until an unflush starts them: kept across requests.
    stopped: Mapped[list] = mapped_column(JSON, default=list)
    finished_at: Mapped[datetime.datetime | None] = mapped_column(DateTime)


# --- Security groups -------------------------------------------------------------------------

class SecurityGroup(Base, Timestamps):
    __tablename__ = "security_groups"
    __table_args__ = (UniqueConstraint("project_id", "name"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True, default=new_uuid)
    project_id: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(255))
    description: Mapped[str | None] = mapped_column(String(255))


class SecurityGroupRule(Base, Timestamps):
    __tablename__ = "security_group_rules"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True, default=new_uuid)
    group_id: Mapped[int] = mapped_column(ForeignKey("security_groups.id", ondelete="CASCADE"))
    direction: Mapped[str] = mapped_column(String(16), default="ingress")
    ethertype: Mapped[str] = mapped_column(String(8), default="IPv4")
    protocol: Mapped[str | None] = mapped_column(String(16))
    port_range_min: Mapped[int | None] = mapped_column(Integer)
    port_range_max: Mapped[int | None] = mapped_column(Integer)
    remote_ip_prefix: Mapped[str | None] = mapped_column(String(64))
    remote_group_id: Mapped[int | None] = mapped_column(ForeignKey("security_groups.id"))


class SecurityGroupInstance(Base):
    __tablename__ = "security_group_instances"
    __table_args__ = (UniqueConstraint("group_id", "instance_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("security_groups.id", ondelete="CASCADE"))
    instance_id: Mapped[int] = mapped_column(ForeignKey("instances.id", ondelete="CASCADE"))


# --- Identity --------------------------------------------------------------------------------

ROLES = ("admin", "member", "reader")


class Project(Base, Timestamps):
    __tablename__ = "projects"
    id: Mapped[str] = mapped_column(String(64), primary_key=True, default=new_hex_id)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    description: Mapped[str | None] = mapped_column(Text)
    domain_id: Mapped[str] = mapped_column(String(64), default="default")
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)


class User(Base, Timestamps):
    __tablename__ = "users"
    id: Mapped[str] = mapped_column(String(64), primary_key=True, default=new_hex_id)
    name: Mapped[str] = mapped_column(String(255), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    domain_id: Mapped[str] = mapped_column(String(64), default="default")
    default_project_id: Mapped[str | None] = mapped_column(ForeignKey("projects.id"))
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)


class RoleAssignment(Base, Timestamps):
    __tablename__ = "role_assignments"
    __table_args__ = (UniqueConstraint("user_id", "project_id", "role"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    project_id: Mapped[str] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(32))


class Token(Base):
    """An issued token; only the SHA-256 of the token string is stored."""
    __tablename__ = "tokens"
    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    project_id: Mapped[str | None] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    roles: Mapped[list] = mapped_column(JSON)
    audit_id: Mapped[str] = mapped_column(String(64))
    issued_at: Mapped[datetime.datetime] = mapped_column(DateTime, default=utcnow)
    expires_at: Mapped[datetime.datetime] = mapped_column(DateTime, index=True)
