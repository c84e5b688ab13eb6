"""Every demo, run once in its fast mode (``python -m demos all --fast``), and its numbers.

The demos print tables; these tests assert the numbers the demos return, so a wrong gradient,
a lost sign convention, a broken picture or gallery fails here and not only on screen.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("numpy")
pytest.importorskip("matplotlib")
pytest.importorskip("tqdm")

from demos import DEMOS, Options
from demos.__main__ import list_demos, main, run_demos
from demos.common import Row, Table
from demos.gallery import write_gallery

ROOT = Path(__file__).resolve().parents[1]
SEED_TABLE_TOLERANCE = 1e-12  # engine vs the seed's own formulas, both in float64
TRAJECTORY_TOLERANCE = 1e-9  # thousands of updates later: rounding noise grows, a little
HAS_DOT = shutil.which("dot") is not None


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory):
    """All demos in fast mode, quietly, into a temporary out/; plus the gallery."""
    out = tmp_path_factory.mktemp("out")
    options = Options(out=out, progress=False, fast=True)
    results, seconds, failed = run_demos(list(DEMOS), options, keep_going=False)
    index = write_gallery(results, {n: d.summary for n, d in DEMOS.items()}, out, seconds=seconds)
    return {r.name: r for r in results}, index, failed


@pytest.fixture(scope="module")
def results(demo_run):
    return demo_run[0]


def assert_png(path: Path) -> None:
    data = Path(path).read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 5_000, path


# --- the seeds' own printed numbers --------------------------------------------------------


@pytest.mark.parametrize("name", ["seed001", "seed002", "seed004"])
def test_seed_tables_agree_with_the_seed_formulas_and_printout(results, name):
    result = results[name]
    assert result["max_difference"] <= SEED_TABLE_TOLERANCE
    assert result["rounds_to_printed"], "an engine number does not round to the seed's printout"
    printed = [row for table in result.tables for row in table.rows if row.printed is not None]
    assert len(printed) >= 15


def test_seed002_update_leaves_biases_alone(results):
    # The seed updates W1 and W2 only; its "gradients" are −∂C/∂θ (compared negated).
    assert results["seed002"]["biases_after_update"] == [[0.0, 0.0], [0.0]]
    assert results["seed002"]["cost"] == pytest.approx(0.013624653232974609, rel=1e-15)


def test_seed000_gradients_are_plus_dJ_and_training_follows_the_seed_formulas(results):
    result = results["seed000"]
    assert result["gradient_max_difference"] <= SEED_TABLE_TOLERANCE
    assert result["training_max_difference"] <= TRAJECTORY_TOLERANCE
    assert result["classification_rate"] >= 0.9
    assert result["final_cost"] > result.tables[1].rows[0].engine  # J went up (ascent)
    for image in result.images:
        assert_png(image.path)


def test_seed000_update_order_quirk_is_not_gradient_ascent(results):
    # Updating W2 before the W1 derivative changes the trajectory, a little.
    result = results["seed000"]
    assert 1e-6 < result["quirk_w1_drift"] < 0.1
    assert result["quirk_cost"] != result["final_cost"]


def test_seed003_deltas_are_the_gradient_of_half_sse_and_training_matches(results):
    result = results["seed003"]
    assert result["gradient_max_difference"] <= SEED_TABLE_TOLERANCE
    assert result["training_max_difference"] <= TRAJECTORY_TOLERANCE
    # The K·∂L/∂W row: the reported loss's gradient is K times smaller than the seed's δ's.
    trap = result.tables[0].rows[-1]
    assert trap.quantity.startswith("4·∂L/∂W3") and trap.difference <= SEED_TABLE_TOLERANCE
    assert result["losses"][-1] < result["losses"][0]
    assert result["final_accuracy"] >= 0.9


def test_seed004_replays_and_xor_converges_from_the_default_seed(results):
    result = results["seed004"]
    assert result["xor_seed"] == 4
    assert result["xor_converged"]
    outputs = result["xor_outputs"]
    assert [round(o) for o in outputs] == [0, 1, 1, 0]
    assert max(abs(o - t) for o, t in zip(outputs, [0, 1, 1, 0])) < 0.1
    assert [round(o) for o in result["and_outputs"]] == [0, 0, 0, 1]


def test_seed004_xor_stalls_from_seed_3_as_the_demo_says(tmp_path):
    from demos import seed004
    from nn.datasets import logic_gate

    X, y = logic_gate("xor")
    outputs, _ = seed004._train_xor(
        seed004.STALLING_SEED,
        X,
        y.astype(float),
        seed004.ITERATIONS,
        Options(out=tmp_path, progress=False),
        "xor",
    )
    assert not seed004._converged(outputs, y)


# --- micrograd's moons ------------------------------------------------------------------


def test_moons_reaches_100_percent_with_micrograds_printed_losses(results):
    result = results["moons"]
    assert result["accuracy"] == 1.0
    assert result["micrograd_max_difference"] <= 1e-15
    assert result["losses"][0] == pytest.approx(0.8958441028683222, abs=1e-15)
    assert [image.path.name for image in result.images] == ["moons_boundary.png", "moons_loss.png"]
    for image in result.images:
        assert_png(image.path)


def test_moons_compiled_steps_equal_the_eager_ones(results):
    result = results["moons"]
    assert result["compiled_equals_eager"] is True
    assert result["compiled_ms_per_step"] > 0 and result["eager_ms_per_step"] > 0


def test_moons_trained_model_exported_to_pytorch_classifies_as_the_engine_does(results):
    pytest.importorskip("torch")
    result = results["moons"]
    assert result["torch_accuracy"] == result["accuracy"] == 1.0


# --- graphs ---------------------------------------------------------------------------------


@pytest.mark.skipif(not HAS_DOT, reason="Graphviz's dot is not installed")
def test_graph_writes_three_svgs_and_a_stepper_page(results):
    from autograd import backward_steps
    from demos.graph import neuron

    result = results["graph"]
    names = [image.path.name for image in result.images]
    assert names == ["graph_neuron.svg", "graph_expression.svg", "graph_mlp.svg"]
    for image in result.images:
        text = image.path.read_text()
        assert "<svg" in text and "∂" in text  # local-derivative edge labels
    assert "cluster_L1.N1" in result.images[2].path.read_text()
    assert result["frames"] == len(backward_steps(neuron()))
    page = result.pages[0].path
    assert page.name == "index.html" and "step_000.svg" in page.read_text()


def test_neuron_is_micrograds_classic_example():
    from demos.graph import neuron

    o = neuron()
    assert o.data == pytest.approx(2**-0.5, abs=1e-12)  # tanh(0.8814) = 1/√2
    x1 = o.parents[0].parents[0].parents[0].parents[0]
    assert (x1.label, x1.grad) == ("x1", pytest.approx(-1.5))


# --- the gallery and the command line ----------------------------------------------------


def test_gallery_embeds_every_picture_by_relative_path(demo_run):
    results, index, failed = demo_run
    assert failed == []
    page = index.read_text()
    images = [image for result in results.values() for image in result.images]
    assert len(images) >= 4 + 3 * HAS_DOT
    for image in images:
        relative = image.path.relative_to(index.parent).as_posix()
        assert f'src="{relative}"' in page
        assert (index.parent / relative).is_file()
    for name in results:
        assert f'id="{name}"' in page


def test_table_rounds_to_printed_digits_and_flags_a_wrong_digit():
    table = Table("t")
    table.add("a", 0.123456784, 0.123456784, "0.12345678")
    assert table.all_round_to_printed
    table.add("b", 0.123456789, 0.123456789, "0.12345678")  # rounds to ...79
    assert not table.all_round_to_printed
    assert Row("c", 1e-4, 1e-4, "1.00000000e-04").rounds_to_printed
    assert "max Δ formula = 0" in str(table)


def test_listing_names_every_demo(capsys):
    assert main([]) == 0
    listing = capsys.readouterr().out
    assert listing == list_demos() + "\n"
    for name in [*DEMOS, "all"]:
        assert f"  {name} " in listing


def test_unknown_demo_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["seed999"])
    assert exit_info.value.code == 2
    assert "unknown demo 'seed999'" in capsys.readouterr().err


def test_python_dash_m_demos_runs_one_demo_from_the_repo_root(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "demos", "seed002", "--no-progress", "--out", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert "22 of 22 engine numbers round to the printed digits" in done.stdout


def test_readme_picture_is_committed_small_and_shown():
    picture = ROOT / "docs" / "graph.svg"
    assert picture.is_file() and picture.stat().st_size < 40_000
    assert "<svg" in picture.read_text()
    assert "](docs/graph.svg)" in (ROOT / "README.md").read_text()
