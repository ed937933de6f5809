"""A recipe's trials as a dataset: the demo's current steps (three amplitudes x two trials) and two trials of
the evoked demo, run by the real `silico`, read through the module and checked against `silico query --json`."""

import numpy as np
import pandas as pd
import pytest

import silico
from conftest import assert_frame_is_json, query_json, silico as run_silico, write_evoked_recipe

AMPLITUDE = "stimulus.step[0].amplitude"


@pytest.fixture(scope="module")
def steps(recipe_store):
    store, recipe = recipe_store
    return store, recipe, silico.open(store).dataset(recipe)


@pytest.fixture(scope="module")
def evoked(tmp_path_factory):
    folder = tmp_path_factory.mktemp("evoked")
    recipe = write_evoked_recipe(folder, trials=2)
    store = folder / "store"
    run_silico(store, "run", recipe, "--executor", "local:2")
    return store, recipe, silico.open(store).dataset(recipe)


def test_conditions_are_one_row_per_trial_with_the_swept_values_seed_key_and_provenance(steps):
    store, recipe, ds = steps
    c = ds.conditions()
    assert c.index.names == ["condition", "trial"]
    assert c.index.tolist() == [(0, 0), (0, 1), (1, 0), (1, 1), (2, 0), (2, 1)]
    assert c[AMPLITUDE].tolist() == [0.4, 0.4, 0.8, 0.8, 1.2, 1.2]
    assert c["seed"].notna().all() and c["key"].str.fullmatch("[0-9a-f]{64}").all()
    assert (c["neuron_version"] == silico.neuron_version).all()
    assert (c["wall_seconds"] > 0).all()
    plan = run_silico(store, "plan", recipe, "--json").stdout
    for key in c["key"]:
        assert key in plan


def test_the_queries_equal_silico_query(steps):
    store, recipe, ds = steps
    assert_frame_is_json(ds.window(0, 250, group_by=AMPLITUDE),
                         query_json(store, "window", recipe, "--from", 0, "--to", 250, "--group-by", AMPLITUDE))
    assert_frame_is_json(ds.spikes(group_by=AMPLITUDE), query_json(store, "spikes", recipe, "--group-by", AMPLITUDE))
    assert_frame_is_json(ds.psth(bin=10, where=f"{AMPLITUDE}=1.2"),
                         query_json(store, "psth", recipe, "--bin", 10, "--where", f"{AMPLITUDE}=1.2"))
    assert_frame_is_json(ds.bursts(group_by=AMPLITUDE), query_json(store, "bursts", recipe, "--group-by", AMPLITUDE))
    assert_frame_is_json(ds.trace_stats(group_by=AMPLITUDE, every=100),
                         query_json(store, "traces", recipe, "--group-by", AMPLITUDE, "--every", 100))
    assert_frame_is_json(ds.detect(threshold=0), query_json(store, "detect", recipe, "--threshold", 0))


def test_spike_times_and_traces_agree(steps):
    _, _, ds = steps
    st = ds.spike_times()
    vt = ds.voltage_traces()
    assert st.index.equals(vt.index) and vt.shape[0] == 6
    t = vt.columns.to_numpy()
    for row in range(6):
        v = vt.iloc[row].to_numpy()
        crossings = t[1:][(v[:-1] < 0) & (v[1:] >= 0)]
        spikes = st.iloc[row].dropna().to_numpy()
        assert len(crossings) == len(spikes) > 0
        # Spikes come from NEURON's finer integration steps; the 0.1 ms recording brackets each one.
        assert np.all(np.abs(crossings - spikes) <= 0.1 + 1e-9)


def test_a_recipe_and_its_saved_dataset_are_the_same_rows(steps):
    store, recipe, ds = steps
    run_silico(store, "import", "recipe", recipe, "--as", "steps")
    saved = silico.open(store).dataset("steps")
    pd.testing.assert_frame_equal(saved.spike_times(), ds.spike_times())
    pd.testing.assert_frame_equal(saved.window(0, 250, group_by=AMPLITUDE), ds.window(0, 250, group_by=AMPLITUDE))


def test_a_step_recipe_has_no_synapse_activation_and_says_which_outputs_it_has(steps):
    _, _, ds = steps
    with pytest.raises(silico.NotFoundError, match="has no output synapse_activation.population .outputs: "):
        ds.synapse_activation()


def test_an_evoked_recipe_gives_synapse_and_presynaptic_activation(evoked):
    store, recipe, ds = evoked
    sa = ds.synapse_activation()
    assert sa.index.names == ["condition", "trial"]
    assert set(sa.index.get_level_values("trial")) == {0, 1}
    assert sa["synapse_type"].nunique() > 5 and (sa["soma_distance"] >= 0).all()
    pa = ds.presynaptic_activation()
    assert len(pa) > 0 and pa.iloc[:, 2].notna().all()
    bins = ds.synapse_bins(by="celltype,ei")
    assert_frame_is_json(bins, query_json(store, "synapses", recipe, "--by", "celltype,ei"))
    releases = sa.iloc[:, 6:].notna().to_numpy().sum()
    assert bins["count"].sum() == releases
    assert_frame_is_json(ds.window(245, 265), query_json(store, "window", recipe, "--from", 245, "--to", 265))


def test_a_malformed_recipe_is_an_invalid_error_naming_file_and_line(recipe_store, tmp_path):
    store, _ = recipe_store
    bad = tmp_path / "bad.toml"
    bad.write_text('[experiment]\nname = "x"\nprotocol = "steps"\n')
    with pytest.raises(silico.InvalidError, match="bad.toml:3:1"):
        silico.open(store).dataset(bad)
