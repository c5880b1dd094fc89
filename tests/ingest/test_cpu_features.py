import pytest

from ingest.cpu_features import has_native_bf16

pytestmark = pytest.mark.unit

FLAGS = "processor\t: 0\nvendor_id\t: GenuineIntel\nflags\t\t: fpu sse2 avx2 avx512f {extra}\n"


@pytest.mark.parametrize(
    ("extra", "native"),
    [("avx512_bf16 avx512_vnni", True), ("amx_tile amx_bf16", True), ("avx512_vnni", False)],
)
def test_bf16_is_native_only_with_its_instructions(tmp_path, extra, native):
    cpuinfo = tmp_path / "cpuinfo"
    cpuinfo.write_text(FLAGS.format(extra=extra))
    assert has_native_bf16(cpuinfo) is native


def test_an_unreadable_cpuinfo_means_fp32(tmp_path):
    """Elsewhere than Linux there is no /proc/cpuinfo: bf16 would be emulated, so no."""
    assert has_native_bf16(tmp_path / "missing") is False
