"""Dynamic and differencing VHD files (Microsoft Virtual Hard Disk Image Format, v1.0).

The XAPI simulator keeps every VDI as one of these files and the migration plugin moves them
with rsync, so the bytes follow the published spec closely enough for ``vhd-util`` to read.
Standard library only: the same module may serve a dom0 helper.

File layout, as this module writes it (all integers big-endian, offsets in bytes):

    0      footer copy (512)
    512    dynamic disk header (1024)
    1536   BAT: one uint32 sector offset per block, 0xFFFFFFFF = unallocated, padded to 512
    ...    parent locator data (differencing disks only), LOCATOR_SPACE bytes per locator
    ...    blocks: sector bitmap (padded to 512; bit 7 of byte 0 = first sector) + block data
    end    footer (512)

Footer:                                  Dynamic disk header:
    0   8  cookie "conectix"                 0    8  cookie "cxsparse"
    8   4  features (2 = reserved bit)       8    8  data offset (0xFFFFFFFFFFFFFFFF)
    12  4  file format version 0x10000       16   8  table (BAT) offset
    16  8  data offset (header: 512)         24   4  header version 0x10000
    24  4  time stamp                        28   4  max table entries
    28  4  creator application               32   4  block size
    32  4  creator version                   36   4  checksum
    36  4  creator host OS                   40  16  parent unique id
    40  8  original size                     56   4  parent time stamp
    48  8  current size                      60   4  reserved
    56  2  cylinders                         64 512  parent unicode name (UTF-16 BE)
    58  1  heads                             576 192 8 parent locator entries of 24 bytes
    59  1  sectors per track                 768 256 reserved
    60  4  disk type (3 dynamic, 4 differencing)
    64  4  checksum                      Parent locator entry:
    68 16  unique id                         0    4  platform code ("MacX", "W2ru", ...)
    84  1  saved state                       4    4  platform data space (in sectors)
    85 427 reserved                          8    4  platform data length (bytes)
                                             12   4  reserved
                                             16   8  platform data offset

Checksums are the ones' complement of the byte sum of the structure with its checksum field
zeroed; time stamps are seconds since 2000-01-01 00:00:00 UTC.

The creator is "gdwt", not blktap's "tap": vhd-util expects a batmap in "tap" files of
version 1.2 and later. qemu takes the size of a VHD from an unknown creator from the CHS
geometry, which rounds it down; vhd-util, libvhdi and this module use the footer's current
size.

Start-up: the simulator's vhd-util is a process importing this module, and a migration's
downtime includes two of them (relink, check), so the module imports only what every
command needs; ``uuid`` (which pulls in ``platform`` and ``re``) and ``hashlib`` are
imported where they are used.
"""
import collections
import os
import struct
import time

SECTOR = 512
BLOCK_SIZE = 2 * 1024 * 1024
FOOTER_SIZE = 512
HEADER_OFFSET = 512
HEADER_SIZE = 1024
BAT_OFFSET = HEADER_OFFSET + HEADER_SIZE
UNUSED = 0xFFFFFFFF
DYNAMIC = 3
DIFFERENCING = 4
TYPES = {DYNAMIC: "dynamic", DIFFERENCING: "differencing"}
LOCATOR_SPACE = 2 * SECTOR  # room for a 256-character path in either encoding
MACX = b"MacX"
W2RU = b"W2ru"
W2KU = b"W2ku"

_VERSION = 0x00010000
_FEATURES = 2
_CREATOR = b"gdwt"
_CREATOR_VERSION = 0x00010000
_HOST_OS = b"Lnux"
_EPOCH = 946684800  # 2000-01-01T00:00:00Z as a Unix time
_NAME_SIZE = 512
_LOCATORS = 8

_FOOTER = struct.Struct(">8sIIQI4sI4sQQHBBII16sB427s")
_HEADER = struct.Struct(">8sQQIIII16sI4s512s192s256s")
_LOCATOR = struct.Struct(">4sIIIQ")

Footer = collections.namedtuple(
    "Footer", "cookie features version data_offset timestamp creator creator_version host_os"
              " original_size current_size cylinders heads sectors_per_track disk_type checksum"
              " uuid saved_state reserved")
Header = collections.namedtuple(
    "Header", "cookie data_offset table_offset version max_table_entries block_size checksum"
              " parent_uuid parent_timestamp reserved parent_name locators reserved2")
Locator = collections.namedtuple("Locator", "code data_space data_length reserved data_offset")
_NO_LOCATOR = Locator(bytes(4), 0, 0, 0, 0)


class VhdError(Exception):
    """A VHD file that cannot be used: bad structure, missing or mismatched parent."""


def checksum(data):
    """Ones' complement of the byte sum (the caller zeroes the checksum field first)."""
    return ~sum(data) & 0xFFFFFFFF


def geometry(size):
    """(cylinders, heads, sectors per track) for ``size`` bytes, per the spec's appendix."""
    total = min(size // SECTOR, 65535 * 16 * 255)
    if total >= 65535 * 16 * 63:
        return total // 255 // 16, 16, 255
    sectors, heads = 17, max((total // 17 + 1023) // 1024, 4)
    if total // sectors >= heads * 1024 or heads > 16:
        sectors, heads = 31, 16
    if total // sectors >= heads * 1024:
        sectors, heads = 63, 16
    return total // sectors // heads, heads, sectors


def _pack_zeroed(layout, record):
    return layout.pack(*record._replace(checksum=0))


def _pack(layout, record):
    return layout.pack(*record._replace(checksum=checksum(_pack_zeroed(layout, record))))


def _timestamp(unix_time):
    return max(int(unix_time) - _EPOCH, 0)


def _padded(size):
    return -(-size // SECTOR) * SECTOR


def _uuid_text(raw):
    import uuid  # see "Start-up" above
    return str(uuid.UUID(bytes=raw))


def _uuid_bytes(text=None):
    """``text`` as 16 bytes, or a new random uuid's."""
    import uuid  # see "Start-up" above
    return (uuid.uuid4() if text is None else uuid.UUID(text)).bytes


def _runs(bits, start, end):
    """(first, end) of each run of "1" in ``bits[start:end]`` (a block bitmap's sectors)."""
    first = bits.find("1", start, end)
    while first != -1:
        stop = bits.find("0", first, end)
        stop = end if stop == -1 else stop
        yield first, stop
        first = bits.find("1", stop, end)


# --- parent locators ----------------------------------------------------------------------------

def _encode_locator(code, relative):
    """Locator data for a parent ``relative`` to the child's directory; None for other codes.

    Relative Windows paths start with ``.\\`` and are little-endian UTF-16, as Microsoft's
    tools and vhd-util write them (unlike the big-endian parent name in the header).
    """
    if code == MACX:
        return ("file://./" + relative).encode()
    if code == W2RU:
        return (".\\" + relative.replace("/", "\\")).encode("utf-16-le")
    return None


def _decode_locator(code, data):
    """The parent path a locator holds, with POSIX separators; None for unknown codes."""
    if code == MACX:
        return data.decode(errors="replace").removeprefix("file://")
    if code in (W2RU, W2KU):
        return data.decode("utf-16-le", errors="replace").replace("\\", "/")
    return None


def _locator_space(locator):
    # The spec counts data space in sectors; Microsoft's tools write bytes. Read both, as
    # vhd-util does.
    return locator.data_space * SECTOR if locator.data_space < SECTOR else locator.data_space


def _parent_link(child_path, parent):
    """(relative path, header name field) linking ``child_path`` to the open disk ``parent``."""
    relative = os.path.relpath(os.path.abspath(parent.path),
                               os.path.dirname(os.path.abspath(child_path)))
    name = relative.encode("utf-16-be")
    if len(name) > _NAME_SIZE:
        raise VhdError(f"parent path too long for a VHD header: {relative}")
    return relative, name


# --- one open file ------------------------------------------------------------------------------

class _Disk:
    """One VHD file: its footer, header and BAT, and sector I/O within its own blocks."""

    def __init__(self, path, writable=False):
        self.path = path
        self.fd = os.open(path, os.O_RDWR if writable else os.O_RDONLY)
        try:
            self._load()
        except BaseException:
            os.close(self.fd)
            raise

    def _load(self):
        self.size = os.fstat(self.fd).st_size
        self.footer = Footer._make(_FOOTER.unpack(self._read_exact(self.size - FOOTER_SIZE,
                                                                   FOOTER_SIZE, "footer")))
        if self.footer.cookie != b"conectix":
            raise VhdError(f"{self.path}: no VHD footer at the end of the file")
        if self.footer.disk_type not in TYPES:
            raise VhdError(f"{self.path}: unsupported disk type {self.footer.disk_type}")
        self.header = Header._make(_HEADER.unpack(self._read_exact(self.footer.data_offset,
                                                                   HEADER_SIZE, "header")))
        entries = self.header.max_table_entries
        raw = self._read_exact(self.header.table_offset, 4 * entries, "BAT")
        self.bat = list(struct.unpack(f">{entries}I", raw))
        self.sectors_per_block = self.header.block_size // SECTOR
        self.bitmap_size = _padded(-(-self.sectors_per_block // 8))

    def close(self):
        os.close(self.fd)

    def _read_exact(self, offset, size, what):
        data = os.pread(self.fd, size, offset) if 0 <= offset < self.size else b""
        if len(data) != size:
            raise VhdError(f"{self.path}: {what} at offset {offset} is past the end of the file")
        return data

    @property
    def locators(self):
        raw = self.header.locators
        return [Locator._make(_LOCATOR.unpack_from(raw, i * _LOCATOR.size))
                for i in range(_LOCATORS)]

    def parent_path(self):
        """The parent's path: the first locator naming an existing file, else the best guess."""
        if self.footer.disk_type != DIFFERENCING:
            return None
        here = os.path.dirname(os.path.abspath(self.path))
        candidates = []
        for locator in self.locators:
            data = os.pread(self.fd, min(locator.data_length, _locator_space(locator)),
                            locator.data_offset)
            path = _decode_locator(locator.code, data)
            if path:
                candidates.append(path)
        name = self.header.parent_name.decode("utf-16-be", errors="replace").rstrip("\0")
        candidates.append(name)
        resolved = [os.path.normpath(os.path.join(here, path)) for path in candidates if path]
        return next((path for path in resolved if os.path.isfile(path)), resolved[0])

    def problems(self):
        """What is structurally wrong with this file alone (see ``check``)."""
        found = []
        raw_footer = _FOOTER.pack(*self.footer)
        if self.footer.checksum != checksum(_pack_zeroed(_FOOTER, self.footer)):
            found.append("footer: bad checksum")
        if os.pread(self.fd, FOOTER_SIZE, 0) != raw_footer:
            found.append("footer copy at offset 0 differs from the footer at the end")
        if self.header.cookie != b"cxsparse":
            found.append("header: bad cookie")
        if self.header.checksum != checksum(_pack_zeroed(_HEADER, self.header)):
            found.append("header: bad checksum")
        if self.header.block_size % SECTOR or not self.header.block_size:
            found.append(f"header: bad block size {self.header.block_size}")
            return found
        if self.header.max_table_entries * self.header.block_size < self.footer.current_size:
            found.append("BAT: too few entries for the disk size")
        first = self.header.table_offset + _padded(4 * self.header.max_table_entries)
        last = self.size - FOOTER_SIZE - self.bitmap_size - self.header.block_size
        for block, sector in enumerate(self.bat):
            if sector != UNUSED and not first <= sector * SECTOR <= last:
                found.append(f"BAT: block {block} at sector {sector} is outside the data area")
        return found

    # --- blocks ---

    def allocated(self, block):
        return block < len(self.bat) and self.bat[block] != UNUSED

    def bits(self, block):
        """The block's bitmap as a string of '0'/'1', one character per sector."""
        raw = os.pread(self.fd, self.bitmap_size, self.bat[block] * SECTOR)
        return format(int.from_bytes(raw, "big"), f"0{self.bitmap_size * 8}b")

    def read_sectors(self, block, first, count):
        offset = self.bat[block] * SECTOR + self.bitmap_size + first * SECTOR
        return os.pread(self.fd, count * SECTOR, offset)

    def write_sectors(self, block, first, data):
        """Write whole sectors into ``block`` from sector ``first`` and mark them present."""
        if not self.allocated(block):
            self._allocate(block)
        base = self.bat[block] * SECTOR
        os.pwrite(self.fd, data, base + self.bitmap_size + first * SECTOR)
        bitmap_bits = self.bitmap_size * 8
        count = len(data) // SECTOR
        mask = ((1 << count) - 1) << (bitmap_bits - first - count)
        bitmap = int.from_bytes(os.pread(self.fd, self.bitmap_size, base), "big") | mask
        os.pwrite(self.fd, bitmap.to_bytes(self.bitmap_size, "big"), base)

    def _allocate(self, block):
        """Put a zeroed block where the footer was and move the footer after it.

        The block's data is left as a hole (reads as zeros); the BAT entry is written last so
        an interrupted allocation leaves the block unallocated rather than pointing at garbage.
        """
        offset = self.size - FOOTER_SIZE
        self.size = offset + self.bitmap_size + self.header.block_size + FOOTER_SIZE
        os.pwrite(self.fd, bytes(self.bitmap_size), offset)
        os.pwrite(self.fd, _pack(_FOOTER, self.footer), self.size - FOOTER_SIZE)
        self.bat[block] = offset // SECTOR
        os.pwrite(self.fd, struct.pack(">I", self.bat[block]),
                  self.header.table_offset + 4 * block)

    # --- metadata ---

    def write_footer(self, footer):
        self.footer = footer
        raw = _pack(_FOOTER, footer)
        os.pwrite(self.fd, raw, 0)
        os.pwrite(self.fd, raw, self.size - FOOTER_SIZE)

    def write_header(self, header):
        self.header = header
        os.pwrite(self.fd, _pack(_HEADER, header), self.footer.data_offset)


class _Chain:
    """A disk and its ancestors, newest first, each checked against its child's header."""

    def __init__(self, path, writable=False):
        self.disks = []
        try:
            self._open(path, writable)
        except BaseException:
            self.close()
            raise

    def _open(self, path, writable):
        seen = set()
        while path:
            if os.path.realpath(path) in seen:
                raise VhdError(f"{path}: the parent chain loops")
            seen.add(os.path.realpath(path))
            disk = _Disk(path, writable and not self.disks)
            self.disks.append(disk)
            problems = disk.problems()
            if problems:
                raise VhdError(f"{path}: " + "; ".join(problems))
            if len(self.disks) > 1:
                self._check_link(self.disks[-2], disk)
            path = disk.parent_path()
            if path and not os.path.isfile(path):
                raise VhdError(f"{disk.path}: parent {path} is missing")

    @staticmethod
    def _check_link(child, parent):
        if child.header.parent_uuid != parent.footer.uuid:
            raise VhdError(f"{child.path}: parent {parent.path} has UUID "
                           f"{_uuid_text(parent.footer.uuid)}, expected "
                           f"{_uuid_text(child.header.parent_uuid)}")
        if child.header.block_size != parent.header.block_size:
            raise VhdError(f"{child.path}: block size differs from its parent's")

    def close(self):
        for disk in self.disks:
            disk.close()

    def __enter__(self):
        return self.disks

    def __exit__(self, *exc):
        self.close()


def _spans(disk, start, end):
    """(block, first sector in the block, sector count) for each block of a sector range."""
    sector, last = start // SECTOR, end // SECTOR
    while sector < last:
        block, first = divmod(sector, disk.sectors_per_block)
        count = min(disk.sectors_per_block - first, last - sector)
        yield block, first, count
        sector += count


def _read_span(chain, block, first, count):
    """Sectors of one block, each from the newest disk of the chain that holds it, else zeros."""
    out = bytearray(count * SECTOR)
    for disk in reversed(chain):
        if not disk.allocated(block):
            continue
        for start, end in _runs(disk.bits(block), first, first + count):
            out[(start - first) * SECTOR:(end - first) * SECTOR] = \
                disk.read_sectors(block, start, end - start)
    return out


def _read(chain, offset, length):
    start = offset - offset % SECTOR
    end = _padded(offset + length)
    data = b"".join(_read_span(chain, *span) for span in _spans(chain[0], start, end))
    return data[offset - start:offset - start + length]


def _check_range(disk, offset, length):
    if offset < 0 or length < 0 or offset + length > disk.footer.current_size:
        raise ValueError(f"range {offset}+{length} is outside the virtual disk "
                         f"({disk.footer.current_size} bytes)")


# --- public interface ---------------------------------------------------------------------------

def _new_footer(virtual_size, disk_type):
    cylinders, heads, sectors = geometry(virtual_size)
    return Footer(b"conectix", _FEATURES, _VERSION, HEADER_OFFSET, _timestamp(time.time()),
                  _CREATOR, _CREATOR_VERSION, _HOST_OS, virtual_size, virtual_size, cylinders,
                  heads, sectors, disk_type, 0, _uuid_bytes(), 0, bytes(427))


def _create(path, footer, parent=None):
    """Write a new empty file; a differencing one gets MacX and W2ru locators for ``parent``.

    vhd-util writes a MacX (``file://`` URL) locator too, and some of its readers look at no
    other code, so both are written.
    """
    if footer.current_size <= 0 or footer.current_size % SECTOR:
        raise ValueError(f"virtual size must be a positive multiple of {SECTOR}")
    entries = -(-footer.current_size // BLOCK_SIZE)
    data_offset = BAT_OFFSET + _padded(4 * entries)
    locators, locator_data, parent_uuid, parent_time, name = [], b"", bytes(16), 0, b""
    if parent:
        relative, name = _parent_link(path, parent)
        parent_uuid, parent_time = parent.footer.uuid, _timestamp(os.fstat(parent.fd).st_mtime)
        for code in (MACX, W2RU):
            data = _encode_locator(code, relative)
            locators.append(Locator(code, LOCATOR_SPACE // SECTOR, len(data), 0,
                                    data_offset + len(locator_data)))
            locator_data += data.ljust(LOCATOR_SPACE, b"\0")
    locators += [_NO_LOCATOR] * (_LOCATORS - len(locators))
    header = Header(b"cxsparse", 0xFFFFFFFFFFFFFFFF, BAT_OFFSET, _VERSION, entries, BLOCK_SIZE,
                    0, parent_uuid, parent_time, bytes(4), name,
                    b"".join(_LOCATOR.pack(*locator) for locator in locators), bytes(256))
    raw_footer = _pack(_FOOTER, footer)
    bat = b"\xff" * (4 * entries)
    with open(path, "xb") as new:
        new.write(raw_footer + _pack(_HEADER, header) + bat.ljust(_padded(len(bat)), b"\xff"))
        new.write(locator_data + raw_footer)


def create_dynamic(path, virtual_size):
    """Create an empty dynamic VHD of ``virtual_size`` bytes (a multiple of 512)."""
    _create(path, _new_footer(virtual_size, DYNAMIC))


def create_differencing(path, parent_path):
    """Create an empty child of ``parent_path``, which from now on must not change."""
    with _Chain(parent_path) as chain:
        parent = chain[0]
        footer = _new_footer(parent.footer.current_size, DIFFERENCING)._replace(
            cylinders=parent.footer.cylinders, heads=parent.footer.heads,
            sectors_per_track=parent.footer.sectors_per_track)
        _create(path, footer, parent)


def info(path):
    disk = _Disk(path)
    try:
        differencing = disk.footer.disk_type == DIFFERENCING
        return {
            "type": TYPES[disk.footer.disk_type],
            "uuid": _uuid_text(disk.footer.uuid),
            "virtual_size": disk.footer.current_size,
            "physical_size": disk.size,
            "parent_uuid": (_uuid_text(disk.header.parent_uuid)
                            if differencing else None),
            "parent_path": disk.parent_path(),
            "block_size": disk.header.block_size,
            "allocated_blocks": sum(entry != UNUSED for entry in disk.bat),
        }
    finally:
        disk.close()


def read(path, offset, length):
    """``length`` bytes of the virtual disk at ``offset``, read through the parent chain."""
    with _Chain(path) as chain:
        _check_range(chain[0], offset, length)
        return _read(chain, offset, length)


def write(path, offset, data):
    """Write ``data`` at ``offset`` into this file only (never into its parents).

    Partial sectors at either end are completed from the chain first, because a sector is
    present in a file either whole or not at all.
    """
    with _Chain(path, writable=True) as chain:
        disk = chain[0]
        _check_range(disk, offset, len(data))
        if not data:
            return
        start = offset - offset % SECTOR
        end = _padded(offset + len(data))
        buffer = bytearray(end - start)
        if start != offset:
            buffer[:SECTOR] = _read(chain, start, SECTOR)
        if end != offset + len(data):
            buffer[-SECTOR:] = _read(chain, end - SECTOR, SECTOR)
        buffer[offset - start:offset - start + len(data)] = data
        position = 0
        for block, first, count in _spans(disk, start, end):
            disk.write_sectors(block, first, bytes(buffer[position:position + count * SECTOR]))
            position += count * SECTOR


def set_parent(path, parent_path):
    """Relink a differencing disk to ``parent_path`` (``vhd-util modify -p``).

    Locators this module cannot rewrite are dropped, since they would name the old parent.
    """
    with _Chain(parent_path) as parents:
        parent = parents[0]
        disk = _Disk(path, writable=True)
        try:
            if disk.footer.disk_type != DIFFERENCING:
                raise VhdError(f"{path} is not a differencing disk")
            relative, name = _parent_link(path, parent)
            locators = []
            for locator in disk.locators:
                data = _encode_locator(locator.code, relative)
                if data is None or len(data) > _locator_space(locator):
                    locators.append(_NO_LOCATOR)
                    continue
                os.pwrite(disk.fd, data.ljust(_locator_space(locator), b"\0"),
                          locator.data_offset)
                locators.append(locator._replace(data_length=len(data)))
            if all(locator == _NO_LOCATOR for locator in locators):
                raise VhdError(f"{path}: no parent locator can hold {relative}")
            disk.write_header(disk.header._replace(
                parent_uuid=parent.footer.uuid,
                parent_timestamp=_timestamp(os.fstat(parent.fd).st_mtime),
                parent_name=name,
                locators=b"".join(_LOCATOR.pack(*locator) for locator in locators)))
        finally:
            disk.close()


def set_uuid(path, new_uuid):
    """Give the disk a new UUID; children must then be relinked with ``set_parent``."""
    disk = _Disk(path, writable=True)
    try:
        disk.write_footer(disk.footer._replace(uuid=_uuid_bytes(str(new_uuid))))
    finally:
        disk.close()


def check(path):
    """Problems with the file and its link to its parent, as strings; [] when it is sound."""
    try:
        disk = _Disk(path)
    except (OSError, VhdError) as exc:
        return [str(exc)]
    try:
        found = disk.problems()
        parent_path = disk.parent_path()
        if parent_path is None:
            return found
        if not os.path.isfile(parent_path):
            return found + [f"parent {parent_path} is missing"]
        parent = _Disk(parent_path)
        try:
            _Chain._check_link(disk, parent)
        except VhdError as exc:
            found.append(str(exc))
        finally:
            parent.close()
        return found
    finally:
        disk.close()


def coalesce(child_path):
    """Write every sector the child holds into its parent (``vhd-util coalesce``)."""
    with _Chain(child_path) as chain:
        if len(chain) < 2:
            raise VhdError(f"{child_path} has no parent")
        child = chain[0]
        parent = _Disk(chain[1].path, writable=True)
        try:
            for block in range(len(child.bat)):
                if not child.allocated(block):
                    continue
                for start, end in _runs(child.bits(block), 0, child.sectors_per_block):
                    parent.write_sectors(block, start,
                                         child.read_sectors(block, start, end - start))
        finally:
            parent.close()


def digest(path):
    """sha256 hex digest of the whole virtual disk as read through the chain."""
    import hashlib  # see "Start-up" above
    sha = hashlib.sha256()
    with _Chain(path) as chain:
        size = chain[0].footer.current_size
        for offset in range(0, size, BLOCK_SIZE):
            sha.update(_read(chain, offset, min(BLOCK_SIZE, size - offset)))
    return sha.hexdigest()
