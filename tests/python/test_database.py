"""silico.open and the dictionary interface: keys, items, metadata, datasets; errors as Python exceptions."""

import os
import pathlib
import re
import subprocess
import time

import numpy as np
import pandas as pd
import pytest

import silico
from conftest import SILICO, SOURCE, silico as run_silico


def test_the_module_keys_recipes_with_the_neuron_version_silico_runs(tmp_path):
    printed = subprocess.run([SILICO, "version"], capture_output=True, text=True, check=True).stdout
    assert re.search(r"^NEURON (.+)$", printed, re.M).group(1) == silico.neuron_version
    assert printed.startswith(f"silico {silico.version}\n")


def test_open_lists_items_and_datasets_like_a_dictionary(isf_store):
    db = silico.open(isf_store)
    assert db.datasets() == ["isf18000", "run2015"]
    assert db.keys() == ["dataset/isf18000", "dataset/run2015"]
    assert "dataset/isf18000" in db and "nothing" not in db
    assert len(db) == 2 and list(db) == db.keys()
    item = db["dataset/isf18000"]
    assert isinstance(item, silico.Dataset) and len(item) == 18000
    meta = db.metadata("dataset/run2015")
    assert meta["encoding"] == "silico-dataset" and len(meta["digest"]) == 64
    assert meta["silico_version"] == silico.version and meta["time"].year >= 2024
    assert meta["size"] > 0 and meta["stored_size"] > 0


def test_items_come_back_by_their_encoding(tmp_path):
    store = tmp_path / "s"
    (tmp_path / "notes.txt").write_bytes(b"raw \x00 bytes")
    (tmp_path / "table.csv").write_text("a,b\n1,2.5\n3,4\n")
    run_silico(store, "store", "put", "notes", tmp_path / "notes.txt")
    run_silico(store, "store", "put", "table", tmp_path / "table.csv", "--encoding", "csv")
    with silico.open(store) as db:
        assert db["notes"] == b"raw \x00 bytes"
        pd.testing.assert_frame_equal(db["table"], pd.DataFrame({"a": [1, 3], "b": [2.5, 4.0]}))
        assert db.metadata("table")["encoding"] == "csv"
    assert db.closed


def test_a_missing_store_is_a_not_found_error(tmp_path):
    with pytest.raises(silico.NotFoundError, match="no store here") as caught:
        silico.open(tmp_path / "nowhere")
    assert caught.value.code == "not found"
    assert str(tmp_path / "nowhere") in str(caught.value)


def test_an_unknown_key_is_a_key_error_naming_it(isf_store):
    db = silico.open(isf_store)
    with pytest.raises(KeyError, match="nothing"):
        db["nothing"]
    with pytest.raises(silico.NotFoundError, match="dataset nope"):
        db.dataset("nope")
    with pytest.raises(silico.NotFoundError):
        db.metadata("nothing")


def test_a_closed_store_refuses_every_use_and_its_datasets_too(isf_store):
    db = silico.open(isf_store)
    ds = db.dataset("run2015")
    db.close()
    for use in (db.keys, db.datasets, lambda: db["dataset/run2015"], lambda: "x" in db, ds.voltage_traces,
                ds.synapse_activation, lambda: ds.trace_stats()):
        with pytest.raises(silico.InvalidError, match="the store is closed"):
            use()
    # What the dataset already holds needs no store.
    assert ds.spike_times().shape[0] == 6


def test_a_corrupt_dataset_item_is_a_corruption_error(tmp_path):
    store = tmp_path / "s"
    (tmp_path / "garbage").write_bytes(b"not a dataset")
    run_silico(store, "store", "put", "dataset/bad", tmp_path / "garbage", "--encoding", "silico-dataset")
    db = silico.open(store)
    with pytest.raises(silico.CorruptionError, match="dataset bad") as caught:
        db.dataset("bad")
    assert caught.value.code == "corruption"


def _flip_in_table_files(db_dir, needle):
    """Flips one byte of `needle` wherever a table file holds it; returns how many files changed."""
    changed = 0
    for f in pathlib.Path(db_dir).glob("*.sst"):
        data = bytearray(f.read_bytes())
        at = data.find(needle)
        if at >= 0:
            data[at + len(needle) // 2] ^= 0xFF
            f.write_bytes(bytes(data))
            changed += 1
    return changed


def test_a_corrupt_blob_is_a_corruption_error_naming_its_digest(tmp_path):
    store = tmp_path / "s"
    payload = np.random.default_rng(7).bytes(8192)  # incompressible: zstd keeps the bytes as they are
    (tmp_path / "payload").write_bytes(payload)
    (tmp_path / "other").write_bytes(b"other")
    run_silico(store, "store", "put", "payload", tmp_path / "payload")
    # A second writer session recovers the first one's log into a table file.
    run_silico(store, "store", "put", "other", tmp_path / "other")
    assert _flip_in_table_files(store / "db", payload[1000:1064]) == 1
    db = silico.open(store)
    digest = db.metadata("payload")["digest"]
    with pytest.raises(silico.CorruptionError, match=digest):
        db["payload"]
    assert db["other"] == b"other"


def test_a_reader_opens_while_a_run_writes_and_refresh_shows_the_new_trials(tmp_path, recipe_store):
    from conftest import write_evoked_recipe

    store, demo = recipe_store
    recipe = write_evoked_recipe(tmp_path, trials=2)
    writer = subprocess.Popen([SILICO, "--store", str(store), "run", str(recipe), "--executor", "local:1"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        lock = store / "LOCK"
        while writer.poll() is None and str(writer.pid) not in (lock.read_text() if lock.exists() else ""):
            time.sleep(0.01)
        assert writer.poll() is None, "the run ended before the reader could open the store"
        db = silico.open(store)
        assert len(db.dataset(str(demo))) == 6
        with pytest.raises(silico.NotFoundError):
            db.dataset(str(recipe))  # none of its trials is committed before the first finishes
        still_writing = writer.poll() is None
    finally:
        _, err = writer.communicate(timeout=600)
    assert still_writing, "the run had ended while the reader read: the test proved nothing"
    assert writer.returncode == 0, err
    db.refresh()
    assert len(db.dataset(str(recipe))) == 2


def test_closing_while_another_thread_reads_lets_the_read_finish(isf_store):
    import threading

    db = silico.open(isf_store)
    ds = db.dataset("run2015")
    rows = len(ds.synapse_activation())
    results = []

    def read():
        try:
            for _ in range(200):
                results.append(len(ds.synapse_activation()))  # the GIL is released while the store is read
        except silico.InvalidError as e:
            results.append(str(e))

    reader = threading.Thread(target=read)
    reader.start()
    while not results:
        time.sleep(0.001)
    db.close()
    reader.join()
    assert "the store is closed" in results[-1]
    assert results[:-1] and all(r == rows for r in results[:-1])
