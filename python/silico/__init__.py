"""silico's store as ISF users know their ModelDataBase (docs/python.md).

    import silico
    db = silico.open("silico-store")          # read-only: works while `silico run` writes
    db.keys(); db["name"]; "name" in db; db.metadata("name"); db.datasets()
    ds = db.dataset("isf18000")               # or a recipe file: db.dataset("recipes/examples/demo_evoked.toml")
    ds.spike_times(); ds.voltage_traces(); ds.synapse_activation(); ds.presynaptic_activation(); ds.conditions()
    ds.window(245, 265, group_by="index~^([^_]+)"); ds.psth(bin=1); ds.trace_stats(); ds.synapse_bins(); ds.bursts()

Every number comes from silico's C++ store and analysis library (silico._silico); this file only arranges the
arrays it returns into pandas DataFrames in ISF's layouts. Errors are silico.Error (NotFoundError is also a
KeyError, InvalidError a ValueError, CorruptionError) with silico's message.
"""

import io as _io

import numpy as _np
import pandas as _pd

from . import _silico
from ._silico import CorruptionError, Error, InvalidError, NotFoundError

__all__ = ["open", "Database", "Dataset", "Error", "NotFoundError", "InvalidError", "CorruptionError"]

version = _silico.version
neuron_version = _silico.neuron_version

# Datasets whose rows are ISF's trials: their index is ISF's sim_trial_index.
_ISF_KINDS = ("isf-simrun", "isf-spike-times")


def open(path):  # noqa: A001 (the name ISF users expect: silico.open(STORE))
    """The store in folder `path`, read-only. NotFoundError when there is no store."""
    return Database(_silico.Store(str(path)))


def _strings(value):
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [f"{k}={v}" for k, v in value.items()]
    return [str(v) for v in value]


def _frame(table):
    """A query's table (columns as `silico query --json` has them) as a DataFrame.

    The dict keeps the columns' order, so no `columns=` is passed: with it, pandas 1.5 reindexes the frame it
    built, six times the cost of building it (bench/RESULTS.md, "Python module"). Only repeated names (which
    a dict would merge) take that path."""
    columns, data = table["columns"], table["data"]
    # Text columns come as lists of str. As object arrays (what pandas makes of them anyway) and with the
    # index given, pandas infers no cell's type: that was about half of a small query's frame.
    data = [_np.array(d, dtype=object) if isinstance(d, list) else d for d in data]
    index = _pd.RangeIndex(len(data[0]) if data else 0)
    if len(set(columns)) != len(columns):
        return _pd.DataFrame(dict(enumerate(data)), index=index).set_axis(columns, axis=1)
    return _pd.DataFrame(dict(zip(columns, data)), index=index, copy=False)


class Database:
    """A silico store: named items like a dictionary, and its datasets."""

    def __init__(self, store):
        self._store = store

    @property
    def path(self):
        return self._store.path

    @property
    def closed(self):
        return self._store.closed

    def close(self):
        self._store.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def refresh(self):
        """See what was committed since the store was opened (a reader sees the store as it was then)."""
        self._store.refresh()

    def keys(self, prefix=""):
        """Names of the stored items (datasets are "dataset/NAME"), sorted."""
        return self._store.keys(prefix)

    def __iter__(self):
        return iter(self.keys())

    def __len__(self):
        return len(self.keys())

    def __contains__(self, name):
        return self._store.contains(name)

    def __getitem__(self, name):
        """The item `name`, read by its encoding: a dataset as a Dataset, an array as numpy arrays, CSV as a
        DataFrame, anything else as bytes. NotFoundError (a KeyError) when absent."""
        if name.startswith("dataset/"):
            meta = self._store.metadata(name)
            if meta["encoding"] == "silico-dataset":
                return self.dataset(name[len("dataset/"):])
        data, encoding = self._store.item(name)
        if encoding == "silico-array":
            array = _silico.decode_array(data)
            return array["strings"] if array["kind"] == "strings" else array["columns"]
        if encoding == "csv":
            return _pd.read_csv(_io.BytesIO(data))
        return data

    def metadata(self, name):
        """An item's metadata: encoding, digest, sizes, time, silico version, commit and dirty flag."""
        meta = self._store.metadata(name)
        meta["time"] = _pd.Timestamp(meta["time_unix_ms"], unit="ms", tz="UTC")
        return meta

    def datasets(self):
        """Names of the stored datasets (imports, `silico import recipe`)."""
        return self._store.datasets()

    def dataset(self, spec):
        """A stored dataset by name, or the trials of a recipe file (`*.toml`) that the store holds."""
        return Dataset(self._store.dataset(str(spec)))


class Dataset:
    """One row per trial, with its outputs in the store; ISF's layouts and silico's queries as DataFrames.

    Queries take `where` ("COLUMN=VALUE", a list of them, or a dict) and `group_by` (a column or
    "index~REGEX", or a list), as `silico query --where/--group-by` do; each returns the table that
    `silico query ... --json` prints, as a DataFrame.
    """

    def __init__(self, data):
        self._data = data
        self._index = None

    def __len__(self):
        return len(self._data)

    def __repr__(self):
        return f"<silico.Dataset {self.name!r}: {len(self)} trials ({self.provenance['kind']})>"

    @property
    def name(self):
        return self._data.name

    @property
    def provenance(self):
        return self._data.provenance

    @property
    def has_records(self):
        return self._data.has_records

    def index(self):
        """Rows' index: ISF's `sim_trial_index` for imported ISF data, (condition, trial) for a recipe's
        trials, else the dataset's index strings."""
        if self._index is None:
            self._index = self._make_index()
        return self._index

    def _make_index(self):
        names = self._data.index()
        if self.provenance["kind"] in _ISF_KINDS:
            return _pd.Index(names, name="sim_trial_index", dtype=object)
        columns = self._data.columns()
        if "condition" in columns:
            condition = _np.asarray(columns["condition"]).astype(_np.int64)
            return _pd.MultiIndex.from_arrays([condition, self._data.trial()], names=["condition", "trial"])
        return _pd.Index(names, name="index", dtype=object)

    def _rows(self, rows):
        index = self.index()
        return index[rows] if len(rows) != len(index) else index

    def outputs(self, row=0):
        """Names of the stored outputs of trial `row` (soma.v, <site>.v, synapse_activation.*, ...)."""
        return self._data.outputs(int(row))

    def sites(self, row=0):
        """Recording sites of trial `row`: what voltage_traces(site=...) accepts."""
        return [name[:-2] for name in self.outputs(row) if name.endswith(".v")]

    # ----- layouts

    def conditions(self):
        """One row per trial: the parameter columns, trial, seed and key (when the rows have them) and, for
        trials with records, the provenance of each (silico version, commit, dirty, NEURON, host, times).
        The dataset's own provenance is in .attrs["provenance"]."""
        data = dict(self._data.columns())
        data["trial"] = self._data.trial()
        seeds = self._data.seeds()
        if seeds is not None:
            data["seed"] = seeds
        keys = self._data.keys()
        if keys is not None:
            data["key"] = keys
            data.update(self._data.records())
        frame = _pd.DataFrame(data, index=self.index())
        frame.attrs["provenance"] = self.provenance
        return frame

    def spike_times(self):
        """ISF's spike_times: one row per trial, columns 0, 1, ... the somatic spike times, NaN-padded."""
        matrix = self._data.spike_matrix()
        return _pd.DataFrame(matrix, index=self.index(), columns=_pd.RangeIndex(matrix.shape[1]), copy=False)

    def spike_arrays(self):
        """The spike times as two read-only numpy views without copying: `offsets` (len + 1) and `times`;
        trial i's spikes are times[offsets[i]:offsets[i + 1]]."""
        return self._data.spike_offsets(), self._data.spike_times()

    def voltage_traces(self, site=None, variable="v"):
        """ISF's voltage_traces: one row per trial, one column per sample time (float), values in mV; the
        soma's, or the recording site's `site`. All trials must share their sampling."""
        return self._traces(site, variable, 0, -1)

    def iter_voltage_traces(self, chunk=1000, site=None, variable="v"):
        """voltage_traces() in DataFrames of `chunk` trials, so a dataset larger than memory can be read."""
        for start in range(0, len(self), chunk):
            yield self._traces(site, variable, start, start + chunk)

    def _traces(self, site, variable, start, stop):
        out = self._data.traces(site or "soma", variable, start, stop)
        rows = _np.arange(start, min(stop if stop >= 0 else len(self), len(self)))
        return _pd.DataFrame(out["values"], index=self._rows(rows), columns=_pd.Index(out["time"]), copy=False)

    def synapse_activation(self):
        """ISF's synapse_activation: one row per active synapse and trial, indexed like the trials, columns
        synapse_type, synapse_ID, soma_distance, section_ID, section_pt_ID, dendrite_label, '0', '1', ...
        (release times, NaN-padded). The two text columns are pandas Categoricals."""
        return self._synapses(0, -1)

    def iter_synapse_activation(self, chunk=100):
        """synapse_activation() in DataFrames of the synapses of `chunk` trials."""
        for start in range(0, len(self), chunk):
            yield self._synapses(start, start + chunk)

    def _synapses(self, start, stop):
        out = self._data.synapse_activation(start, stop)
        columns = {
            "synapse_type": _categorical(out["synapse_type"]),
            "synapse_ID": out["synapse_ID"],
            "soma_distance": out["soma_distance"],
            "section_ID": out["section_ID"],
            "section_pt_ID": out["section_pt_ID"],
            "dendrite_label": _categorical(out["dendrite_label"]),
        }
        return self._with_times(columns, out)

    def presynaptic_activation(self):
        """ISF's cell_activation: one row per presynaptic cell and trial, columns presynaptic_cell_type,
        cell_ID, '0', '1', ... (spike times, NaN-padded)."""
        return self._presynaptic(0, -1)

    def iter_presynaptic_activation(self, chunk=100):
        for start in range(0, len(self), chunk):
            yield self._presynaptic(start, start + chunk)

    def _presynaptic(self, start, stop):
        out = self._data.presynaptic_activation(start, stop)
        columns = {"presynaptic_cell_type": _categorical(out["presynaptic_cell_type"]), "cell_ID": out["cell_ID"]}
        return self._with_times(columns, out)

    def _with_times(self, columns, out):
        # The frame is the times matrix without a copy, and the named columns go in front of it one block each:
        # building them as one frame and concatenating the two copied every value (~1.2 s of 4.4M synapses).
        times = out["times"]
        frame = _pd.DataFrame(times, index=self.index()[out["row"]], columns=[str(k) for k in range(times.shape[1])],
                              copy=False)
        for at, (name, values) in enumerate(columns.items()):
            frame.insert(at, name, values)
        return frame

    # ----- queries (silico/analysis): the tables of `silico query KIND DATASET ... --json`

    def spikes(self, *, group_by=None, where=None):
        """`silico query spikes`: index, trial, groups, spike count and times (space-separated) per trial."""
        return _frame(self._data.query_spikes(_strings(where), _strings(group_by)))

    def window(self, start=245.0, stop=265.0, *, group_by=None, where=None):
        """`silico query window --from START --to STOP`: trials, trials with a spike in [start, stop), fraction."""
        return _frame(self._data.query_window(float(start), float(stop), _strings(where), _strings(group_by)))

    def psth(self, bin=1.0, start=None, stop=None, *, rate=False, group_by=None, where=None):  # noqa: A002
        """`silico query psth --bin BIN [--from START --to STOP] [--rate]`: per group and bin, count and count per
        trial (or Hz); edges aligned to multiples of the bin."""
        table = self._data.query_psth(float(bin), start, stop, bool(rate), _strings(where), _strings(group_by))
        return _frame(table)

    def bursts(self, start=None, stop=None, *, doublet_ms=10.0, triplet_ms=30.0, events=False, group_by=None,
               where=None):
        """`silico query bursts`: singlets, doublets, triplets per group (ISF's definition); with events=True
        every event with its ISIs."""
        table = self._data.query_bursts(start, stop, float(doublet_ms), float(triplet_ms), bool(events),
                                        _strings(where), _strings(group_by))
        return _frame(table)

    def trace_stats(self, stat=("mean", "sd"), *, site="soma", variable="v", every=1, group_by=None, where=None):
        """`silico query traces --stat mean,sd [--site SITE] [--every K]`: mean and SD (n - 1) per group and
        sample, streamed from the store one trace at a time."""
        stats = stat.split(",") if isinstance(stat, str) else list(stat)
        unknown = [s for s in stats if s not in ("mean", "sd")]
        if unknown or not stats:
            raise InvalidError(f"--stat: unknown statistic {unknown[0] if unknown else ''!r} (mean, sd)")
        table = self._data.query_traces(site, variable, "mean" in stats, "sd" in stats, int(every),
                                        _strings(where), _strings(group_by))
        return _frame(table)

    def synapse_bins(self, by="celltype", *, distance_bin=50.0, time_bin=1.0, start=None, stop=None,
                     mean_distance=False, group_by=None, where=None):
        """`silico query synapses --by DIMS`: activation counts per group and bin of celltype, ei, column,
        proximity, distance, time; with mean_distance=True active synapses and mean soma distance per type."""
        if mean_distance:
            return _frame(self._data.query_synapse_distances(_strings(where), _strings(group_by)))
        dims = by.split(",") if isinstance(by, str) else list(by)
        table = self._data.query_synapses(dims, float(distance_bin), float(time_bin), start, stop,
                                          _strings(where), _strings(group_by))
        return _frame(table)

    def detect(self, threshold=-30.0, *, site="soma", variable="v", group_by=None, where=None):
        """`silico query detect --threshold T [--site SITE]`: upward crossings of a stored trace per trial."""
        table = self._data.query_detect(float(threshold), site, variable, _strings(where), _strings(group_by))
        return _frame(table)


def _categorical(codes_and_categories):
    codes, categories = codes_and_categories
    return _pd.Categorical.from_codes(codes, categories=categories)
