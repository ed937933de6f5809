"""ISF's 2015 simrun (six evoked trials of cell 86) imported into the store: voltage traces, synapse and
presynaptic activations in ISF's layouts against the run's own files read with pandas, and the record-based
queries against `silico query --json`."""

import numpy as np
import pandas as pd
import pytest

import silico
from conftest import RUN_2015, assert_frame_is_json, query_json

FOLDER = "20150815-1530_20240"


@pytest.fixture(scope="module")
def ds(isf_store):
    return silico.open(isf_store).dataset("run2015")


def read_isf_rows(path, columns):
    """One of the run's activation files as ISF's parser gives it: tab-separated fields, the last one a
    comma-separated list of times."""
    rows = []
    for line in path.read_text().splitlines():
        if not line or line.startswith("#"):
            continue
        fields = line.split("\t")
        times = [float(t) for t in fields[-1].split(",") if t]
        rows.append(fields[:-1] + [times])
    width = max(len(r[-1]) for r in rows)
    frame = pd.DataFrame([r[:-1] for r in rows], columns=columns)
    times = np.full((len(rows), width), np.nan)
    for i, r in enumerate(rows):
        times[i, : len(r[-1])] = r[-1]
    return frame, times


def test_voltage_traces_are_the_runs_soma_file(ds):
    vt = ds.voltage_traces()
    isf = pd.read_csv(RUN_2015 / "20240_vm_all_traces.csv", sep="\t", float_precision="round_trip")
    assert vt.index.name == "sim_trial_index"
    assert list(vt.index) == [f"{FOLDER}/{k:06d}" for k in range(6)]
    np.testing.assert_array_equal(vt.columns.to_numpy(), isf["t"].to_numpy())
    np.testing.assert_array_equal(vt.to_numpy(), isf.iloc[:, 1:].to_numpy().T)


def test_site_traces_are_the_runs_dendrite_files(ds):
    sites = ds.sites()
    assert "soma" in sites and len(sites) == 3
    for site in (s for s in sites if s != "soma"):
        file = next(RUN_2015.glob(f"*{site}_vm_dend_traces.csv"))
        isf = pd.read_csv(file, sep="\t", float_precision="round_trip")
        np.testing.assert_array_equal(ds.voltage_traces(site=site).to_numpy(), isf.iloc[:, 1:].to_numpy().T)
    with pytest.raises(silico.NotFoundError, match="has no output nowhere.v"):
        ds.voltage_traces(site="nowhere")


def test_traces_in_chunks_are_the_whole(ds):
    chunks = list(ds.iter_voltage_traces(chunk=4))
    assert [len(c) for c in chunks] == [4, 2]
    pd.testing.assert_frame_equal(pd.concat(chunks), ds.voltage_traces())


def test_synapse_activation_is_the_runs_synapse_files(ds):
    sa = ds.synapse_activation()
    assert list(sa.columns[:6]) == ["synapse_type", "synapse_ID", "soma_distance", "section_ID", "section_pt_ID",
                                    "dendrite_label"]
    assert sa.index.name == "sim_trial_index"
    for k in range(6):
        mine = sa.loc[f"{FOLDER}/{k:06d}"]
        isf, times = read_isf_rows(RUN_2015 / f"simulation_run{k:04d}_synapses.csv",
                                   ["synapse_type", "synapse_ID", "soma_distance", "section_ID", "section_pt_ID",
                                    "dendrite_label"])
        assert len(mine) == len(isf)
        assert list(mine["synapse_type"].astype(str)) == list(isf["synapse_type"])
        assert list(mine["dendrite_label"].astype(str)) == list(isf["dendrite_label"])
        for c in ("synapse_ID", "section_ID", "section_pt_ID"):
            assert mine[c].tolist() == isf[c].astype(int).tolist()
        assert mine["soma_distance"].tolist() == isf["soma_distance"].astype(float).tolist()
        np.testing.assert_array_equal(mine.iloc[:, 6: 6 + times.shape[1]].to_numpy(), times)
        assert mine.iloc[:, 6 + times.shape[1]:].isna().all().all()
    assert list(sa.columns[6:]) == [str(k) for k in range(len(sa.columns) - 6)]


def test_synapse_activation_in_chunks_is_the_whole(ds):
    # Each chunk has its own categories and pads to its own longest list: compare as text, over the shared width.
    as_text = {"synapse_type": str, "dendrite_label": str}
    whole = ds.synapse_activation().astype(as_text)
    parts = pd.concat([c.astype(as_text) for c in ds.iter_synapse_activation(chunk=4)])
    width = min(len(whole.columns), len(parts.columns))
    assert width > 6
    pd.testing.assert_frame_equal(parts.iloc[:, :width], whole.iloc[:, :width])


def test_presynaptic_activation_is_the_runs_cell_files(ds):
    pa = ds.presynaptic_activation()
    assert list(pa.columns[:2]) == ["presynaptic_cell_type", "cell_ID"]
    for k in (0, 5):
        mine = pa.loc[f"{FOLDER}/{k:06d}"]
        isf, times = read_isf_rows(RUN_2015 / f"simulation_run{k:04d}_presynaptic_cells.csv",
                                   ["presynaptic_cell_type", "cell_ID"])
        assert list(mine["presynaptic_cell_type"].astype(str)) == list(isf["presynaptic_cell_type"])
        assert mine["cell_ID"].tolist() == isf["cell_ID"].astype(int).tolist()
        np.testing.assert_array_equal(mine.iloc[:, 2: 2 + times.shape[1]].to_numpy(), times)


def test_trace_stats_equal_silico_query_and_pandas(ds, isf_store):
    stats = ds.trace_stats(every=50)
    assert_frame_is_json(stats, query_json(isf_store, "traces", "run2015", "--every", 50))
    vt = ds.voltage_traces()
    np.testing.assert_allclose(stats["mean"], vt.mean().to_numpy()[::50], rtol=0, atol=1e-9)
    np.testing.assert_allclose(stats["sd"], vt.std().to_numpy()[::50], rtol=0, atol=1e-9)
    mean_only = ds.trace_stats("mean", every=10000)
    assert list(mean_only.columns) == ["all", "trials", "t", "mean"]
    with pytest.raises(silico.InvalidError, match="unknown statistic"):
        ds.trace_stats("median")


def test_synapse_bins_equal_silico_query_and_the_files(ds, isf_store):
    by_type = ds.synapse_bins()
    assert_frame_is_json(by_type, query_json(isf_store, "synapses", "run2015"))
    # Independently: every release time of every synapse row counts once, per cell type (before the '_').
    sa = ds.synapse_activation()
    releases = sa.iloc[:, 6:].notna().sum(axis=1)
    expected = releases.groupby(sa["synapse_type"].astype(str).str.split("_").str[0]).sum()
    assert by_type.set_index("celltype")["count"].to_dict() == expected[expected > 0].to_dict()
    for args, kwargs in ((["--by", "ei,proximity", "--from", 245, "--to", 265], dict(by="ei,proximity", start=245,
                                                                                   stop=265)),
                         (["--by", "distance,time", "--distance-bin", 100, "--time-bin", 5],
                          dict(by=["distance", "time"], distance_bin=100, time_bin=5)),
                         (["--mean-distance"], dict(mean_distance=True))):
        assert_frame_is_json(ds.synapse_bins(**kwargs), query_json(isf_store, "synapses", "run2015", *args))
    with pytest.raises(silico.InvalidError, match="nonsense"):
        ds.synapse_bins(by="nonsense")


def test_bursts_detect_and_spikes_equal_silico_query(ds, isf_store):
    assert_frame_is_json(ds.bursts(), query_json(isf_store, "bursts", "run2015"))
    assert_frame_is_json(ds.bursts(events=True), query_json(isf_store, "bursts", "run2015", "--events"))
    assert ds.bursts().values.tolist() == [["all", 6, 8, 0, 1]]
    assert_frame_is_json(ds.detect(threshold=-30, site=ds.sites()[0]),
                         query_json(isf_store, "detect", "run2015", "--threshold", -30, "--site", ds.sites()[0]))
    assert_frame_is_json(ds.spikes(), query_json(isf_store, "spikes", "run2015"))
    assert ds.spike_times().loc[f"{FOLDER}/000001"].dropna().tolist() == [103.65, 112.25, 133.075, 260.5]


def test_conditions_carry_each_trials_key_and_provenance(ds):
    c = ds.conditions()
    assert len(c) == 6 and c.index.name == "sim_trial_index"
    assert c["key"].str.fullmatch("[0-9a-f]{64}").all()
    assert (c["silico_version"] == silico.version).all()
    assert c["trial"].tolist() == list(range(6))
    assert c.attrs["provenance"]["kind"] == "isf-simrun"
