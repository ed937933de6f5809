"""ISF's 18,000-trial spike table imported into the store: the ISF layout against pandas.read_csv of ISF's file,
and the queries against `silico query --json` and ISF's pandas expressions."""

import numpy as np
import pandas as pd
import pytest

import silico
from conftest import SPIKE_TABLE, assert_frame_is_json, query_json

BY_STIMULUS = "index~^([^_]+)"


@pytest.fixture(scope="module")
def ds(isf_store):
    return silico.open(isf_store).dataset("isf18000")


@pytest.fixture(scope="module")
def isf_frame():
    """What an ISF user has: the table read with pandas, indexed by sim_trial_index."""
    st = pd.read_csv(SPIKE_TABLE, index_col=0, float_precision="round_trip")
    st.index.name = "sim_trial_index"
    st.columns = st.columns.astype(int)
    return st


def test_spike_times_are_isfs_table(ds, isf_frame):
    st = ds.spike_times()
    assert st.index.name == "sim_trial_index" and st.shape == isf_frame.shape
    pd.testing.assert_frame_equal(st, isf_frame, check_names=True, check_column_type=False)


def test_spike_arrays_are_views_of_the_dataset(ds, isf_frame):
    offsets, times = ds.spike_arrays()
    assert len(offsets) == 18001 and offsets[-1] == len(times) == isf_frame.count().sum()
    assert not times.flags.writeable and not times.flags.owndata
    row = isf_frame.iloc[3].dropna().to_numpy()
    np.testing.assert_array_equal(times[offsets[3]:offsets[4]], row)


def test_window_per_stimulus_is_isfs_answer_and_silicos(ds, isf_store, isf_frame):
    w = ds.window(245, 265, group_by=BY_STIMULUS)
    assert_frame_is_json(w, query_json(isf_store, "window", "isf18000", "--from", 245, "--to", 265,
                                       "--group-by", BY_STIMULUS))
    st = isf_frame
    isf = ((st >= 245) & (st < 265)).any(axis=1).groupby(st.index.str.split("_").str[0]).sum()
    assert w.set_index(BY_STIMULUS)["spiking"].to_dict() == isf.to_dict()
    assert w.loc[w[BY_STIMULUS] == "C2", ["trials", "spiking"]].values.tolist() == [[1800, 840]]
    overall = ds.window(245, 265)
    assert overall.values.tolist() == [["all", 18000, 4415, 4415 / 18000]]
    # The grouping is kept: asking again answers the same.
    pd.testing.assert_frame_equal(ds.window(245, 265, group_by=BY_STIMULUS), w)


def test_where_filters_rows_as_the_cli_does(ds, isf_store):
    path = "C2_evoked_UpState_INH_PW_1.0_SuW_0.5_C2center/20150815-1530_20240"
    w = ds.window(245, 265, where={"path": path})
    assert w.values.tolist() == [["all", 200, 177, 0.885]]
    with pytest.raises(silico.InvalidError, match="no trial of the dataset passes the filters"):
        ds.window(245, 265, where="path=nowhere")
    with pytest.raises(silico.InvalidError, match="nocolumn"):
        ds.window(245, 265, group_by="nocolumn")


def test_psth_equals_silico_query_and_numpy(ds, isf_store, isf_frame):
    p = ds.psth(bin=1, start=240, stop=280)
    assert_frame_is_json(p, query_json(isf_store, "psth", "isf18000", "--bin", 1, "--from", 240, "--to", 280))
    values = isf_frame.to_numpy().ravel()
    counts, _ = np.histogram(values[~np.isnan(values)], bins=np.arange(240, 281, 1.0))
    assert p["count"].tolist() == counts.tolist()
    per = ds.psth(bin=2, start=240, stop=280, rate=True, group_by=BY_STIMULUS)
    assert_frame_is_json(per, query_json(isf_store, "psth", "isf18000", "--bin", 2, "--from", 240, "--to", 280,
                                         "--rate", "--group-by", BY_STIMULUS))


def test_bursts_and_spikes_equal_silico_query(ds, isf_store):
    assert_frame_is_json(ds.bursts(group_by=BY_STIMULUS),
                         query_json(isf_store, "bursts", "isf18000", "--group-by", BY_STIMULUS))
    events = ds.bursts(240, 280, events=True, where="path=C2_evoked_UpState_INH_PW_1.0_SuW_0.5_C2center/20150815-1530_20240")
    assert_frame_is_json(events, query_json(isf_store, "bursts", "isf18000", "--from", 240, "--to", 280, "--events",
                                            "--where", "path=C2_evoked_UpState_INH_PW_1.0_SuW_0.5_C2center/20150815-1530_20240"))
    assert_frame_is_json(ds.spikes(where="trial=3"), query_json(isf_store, "spikes", "isf18000", "--where", "trial=3"))


def test_conditions_hold_the_rows_without_records(ds):
    c = ds.conditions()
    assert c.index.name == "sim_trial_index" and len(c) == 18000
    assert list(c.columns) == ["path", "trial"]
    assert c.attrs["provenance"]["kind"] == "isf-spike-times"
    assert c["trial"].iloc[0] == 0


def test_a_spike_table_has_no_traces_and_says_so(ds):
    for use in (ds.voltage_traces, ds.synapse_activation, ds.presynaptic_activation, ds.trace_stats):
        with pytest.raises(silico.InvalidError, match="spike times only"):
            use()


def test_psth_per_stimulus_is_the_pandas_an_isf_user_writes(ds, isf_frame):
    """docs/python.md's side-by-side example, both sides."""
    st = isf_frame
    stimulus = st.index.str.split("_").str[0]
    edges = np.arange(240, 281, 1.0)
    isf = {}
    for name, group in st.groupby(stimulus):
        values = group.to_numpy().ravel()
        isf[name] = np.histogram(values[~np.isnan(values)], bins=edges)[0] / len(group)
    p = ds.psth(bin=1, start=240, stop=280, group_by=BY_STIMULUS)
    wide = p.pivot(index="bin_start", columns=BY_STIMULUS, values="per_trial")
    assert sorted(wide.columns) == sorted(isf)
    for name, values in isf.items():
        np.testing.assert_array_equal(wide[name].to_numpy(), values)
