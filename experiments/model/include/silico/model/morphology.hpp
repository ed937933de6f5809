// Neuron morphologies and their readers: ISF/Amira hoc, SWC and Amira landmark files.
//
// The readers are free of NEURON (fast, fuzzable) and strict: a malformed file is an Errc::parse error naming
// file:line and what is wrong. A Morphology is plain data; the cell model (cell_model.hpp) turns it into
// NEURON sections. Section IDs are positions in Morphology::sections, which is the order ISF uses everywhere
// (.syn files, recording-site labels), so the readers never reorder sections.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "silico/core/error.hpp"

namespace silico::experiments {

// One traced 3D point: position (µm) and diameter (µm).
struct Point3d {
    double x = 0, y = 0, z = 0, d = 0;
};

// ISF's section labels. Others can appear (e.g. from a biophysics file) but the readers produce only these.
inline constexpr std::string_view k_label_soma = "Soma";
inline constexpr std::string_view k_label_dendrite = "Dendrite";  // basal
inline constexpr std::string_view k_label_apical = "ApicalDendrite";
inline constexpr std::string_view k_label_axon = "Axon";
inline constexpr std::string_view k_label_ais = "AIS";
inline constexpr std::string_view k_label_myelin = "Myelin";

struct MorphologySection {
    int id = 0;                   // index in Morphology::sections
    std::string name;             // name in the source file (hoc `create` name; generated for SWC)
    std::string label;            // Soma, Dendrite, ApicalDendrite, Axon, ...
    int parent_id = -1;           // -1 for the soma (the root)
    double parent_x = 1.0;        // where the 0-end attaches on the parent, in [0, 1], as written in the file
    std::vector<Point3d> points;  // at least 2, as read (never rescaled)
    int line = 0;                 // source line that started the section (for messages)
};

struct Morphology {
    std::string source;  // file name or "<text>", for messages
    std::vector<MorphologySection> sections;

    // ID of the (single) soma section, or -1.
    int soma_id() const;
};

// ISF/Amira hoc, following ISF's line-based reader (single_cell_parser/reader.py::read_hoc_file):
// - a line containing `create` starts a section; the label comes from substrings of that line: `soma` ->
//   Soma, `dend` or `BasalDendrite` -> Dendrite, `apical` -> ApicalDendrite, `axon` -> Axon. A line naming
//   two kinds (e.g. `apical_dend`) or none is an error, as is a second soma;
// - `connect child(0), parent(x)` gives the parent by name (resolved after reading, so order is free);
// - `pt3dadd(x, y, z, d)` lines after `create` are the points; reading points stops at the first other line
//   after at least one point; lines containing `Spine` are skipped while reading points;
// - lines with both `/*` and `*/` are skipped; everything else (access, nseg, pt3dclear, ...) is ignored.
// Every section needs >= 2 points, a positive length, and (except the soma) a parent that leads to the soma.
Result<Morphology> parse_hoc(std::string_view text, std::string_view source_name = "<text>");
Result<Morphology> read_hoc(const std::filesystem::path& file);

// SWC (`id type x y z radius parent`, `#` comments). Types: 1 soma, 2 axon, 3 basal dendrite, 4 apical
// dendrite. Files that carry no labels (no point of type 2..4, or type 0) or no diameters (every radius 1.0,
// or a radius <= 0) are rejected with a message that says so, because a simulation needs both.
// Sections are the unbranched runs between branch points (a type change also starts a section), in
// depth-first order of the file's point order; a child section's first point repeats its parent's last
// point, as in Amira hoc exports. A one-point soma (sphere of radius r) becomes a 2r-long cylinder of
// diameter 2r along y (same membrane area); the three-point NeuroMorpho soma is read as a chain.
Result<Morphology> parse_swc(std::string_view text, std::string_view source_name = "<text>");
Result<Morphology> read_swc(const std::filesystem::path& file);

// Chooses the reader by extension (.hoc, .swc; case-insensitive).
Result<Morphology> read_morphology(const std::filesystem::path& file);

// Amira landmark files (`.landmarkAscii`): the 3D points after the `@1` data marker.
Result<std::vector<Point3d>> parse_landmarks(std::string_view text, std::string_view source_name = "<text>");
Result<std::vector<Point3d>> read_landmarks(const std::filesystem::path& file);

// Reads a whole file (Errc::not_found / Errc::io with the path in the message).
Result<std::string> read_text_file(const std::filesystem::path& file);

}  // namespace silico::experiments
