"""Fixtures of the silico Python module's tests (tests/python/CMakeLists.txt runs them with Debian's
/usr/bin/python3 -m pytest; PYTHONPATH points at build/python, SILICO_EXE at the built `silico`).

The stores are made by the real `silico` executable (imports of ISF's published data, runs of small
recipes), once per session, in pytest's temporary folder."""

import json
import os
import pathlib
import subprocess

import pytest

SILICO = os.environ.get("SILICO_EXE", "")
SOURCE = pathlib.Path(os.environ.get("SILICO_SOURCE_DIR", pathlib.Path(__file__).resolve().parents[2]))
SHARED = pathlib.Path(os.environ.get("SILICO_SHARED_DIR", SOURCE.parent / "shared"))
SIMULATION_DATA = SHARED / "isf/getting_started/example_data/simulation_data"
SPIKE_TABLE = SIMULATION_DATA / "18000_trials/spike_times.csv"
SIMRUN = SIMULATION_DATA / "C2_evoked_UpState_INH_PW_1.0_SuW_0.5_C2center"
RUN_2015 = SIMRUN / "20150815-1530_20240"


def silico(store, *args, check=True):
    """Runs `silico --store STORE ARGS...`; returns the completed process (text)."""
    if not SILICO:
        pytest.skip("SILICO_EXE is not set (run through ctest)")
    done = subprocess.run([SILICO, "--store", str(store), *map(str, args)], capture_output=True, text=True)
    if check and done.returncode != 0:
        raise AssertionError(f"silico {' '.join(map(str, args))} exited {done.returncode}: {done.stderr}")
    return done


def query_json(store, *args):
    """`silico query ... --json` as a list of row dicts."""
    return json.loads(silico(store, "query", *args, "--json").stdout)


def assert_frame_is_json(frame, rows):
    """The DataFrame a query returned holds exactly the rows `silico query --json` printed: same columns in
    the same order, numbers bit for bit (JSON's shortest round-trip form), null as NaN."""
    assert list(frame.columns) == (list(rows[0].keys()) if rows else list(frame.columns))
    assert len(frame) == len(rows)
    for i, row in enumerate(rows):
        for column, expected in row.items():
            got = frame[column].iloc[i]
            if expected is None:
                assert got != got, (i, column, got)  # NaN
            elif isinstance(expected, str):
                assert got == expected, (i, column, got, expected)
            else:
                assert float(got) == float(expected), (i, column, got, expected)


@pytest.fixture(scope="session")
def isf_store(tmp_path_factory):
    """ISF's 18,000-trial spike table (isf18000) and the 2015 simrun with its six trials (run2015)."""
    store = tmp_path_factory.mktemp("isf") / "store"
    silico(store, "import", "isf-spike-times", SPIKE_TABLE, "--as", "isf18000")
    silico(store, "import", "isf-simrun", SIMRUN, "--as", "run2015")
    return store


def write_evoked_recipe(folder, trials):
    """The evoked demo (recipes/examples/demo_evoked.toml) cut to `trials` trials, with presynaptic spikes."""
    cells = SOURCE / "recipes/examples/cells"
    text = (SOURCE / "recipes/examples/demo_evoked.toml").read_text()
    text = text.replace('"cells/', f'"{cells}/').replace("trials = 10", f"trials = {trials}")
    text = text.replace("synapse_activation = true", "synapse_activation = true\npresynaptic_spikes = true")
    recipe = folder / "evoked.toml"
    recipe.write_text(text)
    return recipe


@pytest.fixture(scope="session")
def recipe_store(tmp_path_factory):
    """The demo's six current-step trials (recipes/examples/demo.toml: three amplitudes x two trials)."""
    folder = tmp_path_factory.mktemp("recipe")
    store = folder / "store"
    recipe = SOURCE / "recipes/examples/demo.toml"
    silico(store, "run", recipe, "--executor", "local:2")
    return store, recipe
