import hashlib
import os
import random
import shutil
import struct
import uuid

import pytest

from godwit.virt.xenapi import vhd

MIB = 1024 * 1024
SIZE = 5 * MIB  # two and a half blocks: the last block is partial


def _fill(seed, length):
    return random.Random(seed).randbytes(length)


def _base(tmp_path, name="base.vhd"):
    path = str(tmp_path / name)
    vhd.create_dynamic(path, SIZE)
    return path


def _child(tmp_path, parent, name="cow.vhd"):
    path = str(tmp_path / name)
    vhd.create_differencing(path, parent)
    return path


def _write_both(path, reference, offset, data):
    vhd.write(path, offset, data)
    reference[offset:offset + len(data)] = data


def test_checksum_is_ones_complement_of_byte_sum():
    # c o n e c t i x = 99+111+110+101+99+116+105+120 = 861 = 0x35d
    assert vhd.checksum(b"conectix") == 0xFFFFFCA2
    assert vhd.checksum(b"") == 0xFFFFFFFF


def test_footer_and_header_fields_at_spec_offsets(tmp_path):
    path = _base(tmp_path)
    raw = open(path, "rb").read()
    footer, header = raw[-512:], raw[512:1536]
    assert raw[:512] == footer
    assert footer[0:8] == b"conectix"
    assert struct.unpack(">IIQ", footer[8:24]) == (2, 0x00010000, 512)
    assert struct.unpack(">QQ", footer[40:56]) == (SIZE, SIZE)
    assert struct.unpack(">HBB", footer[56:60]) == vhd.geometry(SIZE)
    assert struct.unpack(">I", footer[60:64]) == (3,)
    zeroed = footer[:64] + bytes(4) + footer[68:]
    assert struct.unpack(">I", footer[64:68]) == (~sum(zeroed) & 0xFFFFFFFF,)
    assert header[0:8] == b"cxsparse"
    assert struct.unpack(">QQIII", header[8:36]) == (2**64 - 1, 1536, 0x00010000, 3, 2 * MIB)
    zeroed = header[:36] + bytes(4) + header[40:]
    assert struct.unpack(">I", header[36:40]) == (~sum(zeroed) & 0xFFFFFFFF,)
    assert raw[1536:1548] == b"\xff" * 12  # three unallocated BAT entries
    assert len(raw) == 1536 + 512 + 512


def test_geometry_follows_the_spec_algorithm():
    assert vhd.geometry(100 * MIB) == (1003, 12, 17)
    assert vhd.geometry(1024 * MIB) == (2080, 16, 63)
    assert vhd.geometry(127 * 1024 * MIB) == (65278, 16, 255)
    assert vhd.geometry(2 * 1024 * 1024 * MIB) == (65535, 16, 255)  # capped


def test_info_of_dynamic_disk(tmp_path):
    path = _base(tmp_path)
    vhd.write(path, 3 * MIB, b"x")
    result = vhd.info(path)
    assert result["type"] == "dynamic"
    assert uuid.UUID(result["uuid"])
    assert result["virtual_size"] == SIZE
    assert result["block_size"] == 2 * MIB
    assert result["allocated_blocks"] == 1
    assert result["parent_uuid"] is None and result["parent_path"] is None
    assert result["physical_size"] == os.path.getsize(path)


def test_write_read_unaligned_across_block_boundaries(tmp_path):
    path = _base(tmp_path)
    reference = bytearray(SIZE)
    _write_both(path, reference, 2 * MIB - 777, _fill(1, 3000))
    _write_both(path, reference, 4 * MIB - 5, _fill(2, 10))
    _write_both(path, reference, 2 * MIB - 700, b"overwrite")  # inside an earlier write
    _write_both(path, reference, SIZE - 3, b"end")
    assert vhd.read(path, 0, SIZE) == reference
    assert vhd.read(path, 2 * MIB - 800, 3100) == reference[2 * MIB - 800:2 * MIB + 2300]
    assert vhd.info(path)["allocated_blocks"] == 3
    assert vhd.check(path) == []


def test_unallocated_reads_zeros(tmp_path):
    path = _base(tmp_path)
    assert vhd.read(path, 12345, 5000) == bytes(5000)
    vhd.write(path, 100, b"abc")
    assert vhd.read(path, 0, 100) == bytes(100)
    assert vhd.read(path, 103, 1000) == bytes(1000)


def test_out_of_range_is_refused(tmp_path):
    path = _base(tmp_path)
    with pytest.raises(ValueError):
        vhd.write(path, SIZE - 1, b"ab")
    with pytest.raises(ValueError):
        vhd.read(path, -1, 2)
    with pytest.raises(ValueError):
        vhd.create_dynamic(str(tmp_path / "odd.vhd"), 1000)


def test_differencing_child_reads_parent_and_overrides_it(tmp_path):
    base = _base(tmp_path)
    vhd.write(base, 1000, b"A" * 2000)
    cow = _child(tmp_path, base)
    assert vhd.read(cow, 1000, 2000) == b"A" * 2000
    vhd.write(cow, 1500, b"B" * 10)  # partial sectors: the rest comes from the parent
    assert vhd.read(cow, 1000, 2000) == b"A" * 500 + b"B" * 10 + b"A" * 1490
    assert vhd.read(base, 1000, 2000) == b"A" * 2000
    result = vhd.info(cow)
    assert result["type"] == "differencing"
    assert result["parent_uuid"] == vhd.info(base)["uuid"]
    assert result["parent_path"] == base
    assert result["virtual_size"] == SIZE
    assert vhd.check(cow) == []


def test_child_parent_name_and_w2ru_locator(tmp_path):
    base = _base(tmp_path)
    cow = _child(tmp_path, base)
    raw = open(cow, "rb").read()
    header = raw[512:1536]
    assert header[64:64 + 16] == "base.vhd".encode("utf-16-be")
    entries = [struct.unpack(">4sIIIQ", header[576 + 24 * i:600 + 24 * i]) for i in range(8)]
    w2ru = next(entry for entry in entries if entry[0] == b"W2ru")
    _, space, length, _, offset = w2ru
    assert space == 2 and raw[offset:offset + length] == ".\\base.vhd".encode("utf-16-le")


def test_digest_through_chain_equals_flat_reference(tmp_path):
    base = _base(tmp_path)
    reference = bytearray(SIZE)
    for seed, offset in enumerate((0, 2 * MIB - 100, 4 * MIB + 3)):
        _write_both(base, reference, offset, _fill(seed, 4096))
    cow = _child(tmp_path, base)
    for seed, offset in enumerate((50, 2 * MIB - 1, SIZE - 700), start=10):
        _write_both(cow, reference, offset, _fill(seed, 700))
    assert vhd.digest(cow) == hashlib.sha256(reference).hexdigest()
    assert vhd.digest(base) != vhd.digest(cow)


def test_set_parent_to_a_copied_parent_keeps_content(tmp_path):
    base = _base(tmp_path)
    vhd.write(base, 0, _fill(1, 5000))
    cow = _child(tmp_path, base)
    vhd.write(cow, 4096, _fill(2, 100))
    before = vhd.digest(cow)
    (tmp_path / "sr").mkdir()
    moved_base = str(tmp_path / "sr" / "new-base.vhd")
    shutil.copy(base, moved_base)
    vhd.set_uuid(moved_base, uuid.uuid4())
    os.remove(base)
    assert any("missing" in problem for problem in vhd.check(cow))
    vhd.set_parent(cow, moved_base)
    assert vhd.info(cow)["parent_path"] == moved_base
    assert vhd.info(cow)["parent_uuid"] == vhd.info(moved_base)["uuid"]
    assert vhd.check(cow) == []
    assert vhd.digest(cow) == before


def test_check_finds_a_corrupted_footer_checksum(tmp_path):
    path = _base(tmp_path)
    with open(path, "r+b") as disk:
        disk.seek(-512 + 64, os.SEEK_END)
        disk.write(b"\0\0\0\0")
    problems = vhd.check(path)
    assert "footer: bad checksum" in problems
    with pytest.raises(vhd.VhdError):
        vhd.read(path, 0, 1)


def test_check_finds_a_bat_entry_outside_the_file(tmp_path):
    path = _base(tmp_path)
    with open(path, "r+b") as disk:
        disk.seek(1536)
        disk.write(struct.pack(">I", 1 << 20))
    assert any("block 0" in problem for problem in vhd.check(path))


def test_check_finds_a_missing_or_mismatched_parent(tmp_path):
    base = _base(tmp_path)
    cow = _child(tmp_path, base)
    vhd.set_uuid(base, uuid.uuid4())
    assert any("UUID" in problem for problem in vhd.check(cow))
    with pytest.raises(vhd.VhdError):
        vhd.read(cow, 0, 1)
    os.remove(base)
    assert any("missing" in problem for problem in vhd.check(cow))
    with pytest.raises(vhd.VhdError, match="missing"):
        vhd.digest(cow)


def test_coalesce_writes_child_sectors_into_parent(tmp_path):
    base = _base(tmp_path)
    vhd.write(base, 0, _fill(1, 3 * MIB))
    cow = _child(tmp_path, base)
    vhd.write(cow, 2 * MIB - 3, _fill(2, 1000))
    vhd.write(cow, SIZE - 10, b"0123456789")
    before = vhd.digest(cow)
    vhd.coalesce(cow)
    assert vhd.digest(base) == before
    assert vhd.check(base) == []
    assert vhd.info(base)["allocated_blocks"] == 3


def test_set_uuid(tmp_path):
    path = _base(tmp_path)
    new = uuid.uuid4()
    vhd.set_uuid(path, new)
    assert vhd.info(path)["uuid"] == str(new)
    assert vhd.check(path) == []
