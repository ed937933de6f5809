"""The module's DataFrames against `silico export` of the same dataset, read the way an ISF user reads files: csv
with pandas, h5 with h5py, npy with numpy. On ISF's 18,000-trial spike table (isf18000), ISF's 2015 simrun
(run2015: traces, synapse and presynaptic activations) and the demo's current steps (a recipe's own trials)."""

import h5py
import numpy as np
import pandas as pd
import pytest

import silico
from conftest import assert_frame_is_json, query_json, silico as run_silico

SYNAPSE_HEAD = ["synapse_type", "synapse_ID", "soma_distance", "section_ID", "section_pt_ID", "dendrite_label"]
PRESYNAPTIC_HEAD = ["presynaptic_cell_type", "cell_ID"]
TEXT = ("synapse_type", "dendrite_label", "presynaptic_cell_type")


@pytest.fixture(scope="module")
def stores(isf_store, recipe_store):
    """name -> (store, the dataset as `silico export` takes it, the module's Dataset)."""
    store, recipe = recipe_store
    return {"isf18000": (isf_store, "isf18000", silico.open(isf_store).dataset("isf18000")),
            "run2015": (isf_store, "run2015", silico.open(isf_store).dataset("run2015")),
            "recipe": (store, recipe, silico.open(store).dataset(recipe))}


def export(stores, tmp_path, name, what, extension, *args):
    store, spec, _ = stores[name]
    out = tmp_path / f"{what}.{extension}"
    run_silico(store, "export", spec, "--what", what, "-o", out, *args)
    return out


def read_csv(path):
    return pd.read_csv(path, index_col=0, float_precision="round_trip")


def h5_strings(h5, name):
    return h5[name].asstr()[()].tolist()


def assert_index_is_the_exports(ds, index):
    """The exported trial index names the module's rows: ISF's sim_trial_index itself for ISF data (a recipe's
    rows are matched by their trial numbers and keys in the h5 export)."""
    assert len(index) == len(ds)
    if ds.provenance["kind"].startswith("isf-"):
        assert list(ds.index()) == list(index)


def padded(offsets, times, width):
    """Flat lists (times[offsets[k]:offsets[k+1]]) as the NaN-padded matrix of ISF's tables."""
    out = np.full((len(offsets) - 1, width), np.nan)
    for k in range(len(offsets) - 1):
        out[k, : offsets[k + 1] - offsets[k]] = times[offsets[k]:offsets[k + 1]]
    return out


def as_text(frame):
    return frame.astype({c: str for c in TEXT if c in frame.columns})


# ----- spike times: every dataset

@pytest.mark.parametrize("name", ["isf18000", "run2015", "recipe"])
def test_spike_times_equal_the_csv_h5_and_npy_exports(stores, tmp_path, name):
    ds = stores[name][2]
    st = ds.spike_times()
    csv = read_csv(export(stores, tmp_path, name, "spikes", "csv"))
    assert csv.index.name == "sim_trail_index"  # ISF's spelling in its spike_times.csv
    assert_index_is_the_exports(ds, csv.index)
    assert [int(c) for c in csv.columns] == list(st.columns)
    np.testing.assert_array_equal(csv.to_numpy(), st.to_numpy())

    with h5py.File(export(stores, tmp_path, name, "spikes", "h5"), "r") as h5:
        assert h5_strings(h5, "trials/index") == list(csv.index)
        np.testing.assert_array_equal(h5["trials/trial"][()], ds.conditions()["trial"].to_numpy())
        if "key" in ds.conditions():
            assert h5_strings(h5, "trials/key") == ds.conditions()["key"].tolist()
        matrix = padded(h5["spikes/offsets"][()], h5["spikes/times"][()], st.shape[1])
        np.testing.assert_array_equal(matrix, st.to_numpy())

    npy = export(stores, tmp_path, name, "spikes", "npy")
    np.testing.assert_array_equal(np.load(npy), st.to_numpy())
    assert np.load(npy.with_suffix(".index.npy")).tolist() == list(csv.index)


# ----- traces: the datasets with records

@pytest.mark.parametrize("name", ["run2015", "recipe"])
def test_voltage_traces_equal_the_csv_h5_and_npy_exports(stores, tmp_path, name):
    ds = stores[name][2]
    vt = ds.voltage_traces()
    csv = read_csv(export(stores, tmp_path, name, "traces", "csv"))
    assert_index_is_the_exports(ds, csv.index)
    np.testing.assert_array_equal(csv.columns.astype(float).to_numpy(), vt.columns.to_numpy())
    np.testing.assert_array_equal(csv.to_numpy(), vt.to_numpy())

    with h5py.File(export(stores, tmp_path, name, "traces", "h5"), "r") as h5:
        assert h5_strings(h5, "trials/index") == list(csv.index)
        np.testing.assert_array_equal(h5["traces/time"][()], vt.columns.to_numpy())
        np.testing.assert_array_equal(h5["traces/data"][()], vt.to_numpy())
        assert h5["traces/data"].attrs["output"] in ("soma.v", b"soma.v")

    npy = export(stores, tmp_path, name, "traces", "npy")
    np.testing.assert_array_equal(np.load(npy), vt.to_numpy())
    np.testing.assert_array_equal(np.load(npy.with_suffix(".time.npy")), vt.columns.to_numpy())


def test_site_traces_equal_the_npy_export(stores, tmp_path):
    ds = stores["run2015"][2]
    site = next(s for s in ds.sites() if s != "soma")
    out = export(stores, tmp_path, "run2015", "traces", "npy", "--site", site)
    np.testing.assert_array_equal(np.load(out), ds.voltage_traces(site=site).to_numpy())


# ----- activations: ISF's 2015 run

@pytest.mark.parametrize("what,head,call", [("synapses", SYNAPSE_HEAD, "synapse_activation"),
                                            ("presynaptic", PRESYNAPTIC_HEAD, "presynaptic_activation")])
def test_activations_equal_the_csv_export(stores, tmp_path, what, head, call):
    ds = stores["run2015"][2]
    mine = as_text(getattr(ds, call)())
    csv = read_csv(export(stores, tmp_path, "run2015", what, "csv"))
    assert list(csv.columns) == list(mine.columns)  # head, then '0', '1', ... as ISF's loader names them
    assert csv.index.name == mine.index.name == "sim_trial_index"
    pd.testing.assert_frame_equal(csv, mine, check_dtype=False)
    for column in head[1:]:
        if column not in TEXT:
            assert csv[column].dtype == mine[column].dtype, column


def long_table(frame, head):
    """ISF's wide table as the export's long one: one record per time, in row order."""
    times = frame.iloc[:, len(head):].to_numpy()
    rows, slots = np.nonzero(~np.isnan(times))
    return rows, times[rows, slots]


@pytest.mark.parametrize("what,head,call,group", [
    ("synapses", SYNAPSE_HEAD, "synapse_activation", "synapses"),
    ("presynaptic", PRESYNAPTIC_HEAD, "presynaptic_activation", "presynaptic")])
def test_activations_equal_the_h5_and_npy_exports(stores, tmp_path, what, head, call, group):
    ds = stores["run2015"][2]
    mine = as_text(getattr(ds, call)())
    trial_of = {name: k for k, name in enumerate(ds.index())}
    rows = np.array([trial_of[name] for name in mine.index])
    h5_names = {"presynaptic_cell_type": "cell_type"}
    with h5py.File(export(stores, tmp_path, "run2015", what, "h5"), "r") as h5:
        assert h5_strings(h5, "trials/index") == list(ds.index())
        np.testing.assert_array_equal(h5[f"{group}/row"][()], rows)
        for column in head:
            data = h5[f"{group}/{h5_names.get(column, column)}"]
            values = data.asstr()[()].tolist() if column in TEXT else data[()].tolist()
            assert values == mine[column].tolist(), column
        width = len(mine.columns) - len(head)
        matrix = padded(h5[f"{group}/offsets"][()], h5[f"{group}/times"][()], width)
        np.testing.assert_array_equal(matrix, mine.iloc[:, len(head):].to_numpy())

    npy = export(stores, tmp_path, "run2015", what, "npy")
    records = pd.DataFrame(np.load(npy))
    assert np.load(npy.with_suffix(".index.npy")).tolist() == list(ds.index())
    entry, times = long_table(mine, head)
    assert len(records) == len(entry)
    np.testing.assert_array_equal(records["row"].to_numpy(), rows[entry])
    np.testing.assert_array_equal(records["time"].to_numpy(), times)
    for column in head:
        assert records[column].tolist() == mine[column].to_numpy()[entry].tolist(), column


# ----- the queries the other files leave out on ISF's run

def test_window_and_psth_of_the_run_equal_silico_query(stores):
    store, _, ds = stores["run2015"]
    assert_frame_is_json(ds.window(245, 265), query_json(store, "window", "run2015", "--from", 245, "--to", 265))
    assert_frame_is_json(ds.psth(bin=5, start=100, stop=300, rate=True),
                         query_json(store, "psth", "run2015", "--bin", 5, "--from", 100, "--to", 300, "--rate"))
