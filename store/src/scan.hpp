// Reading a column family past blocks RocksDB cannot read (store verify and repair).
//
// A RocksDB iterator that meets a block whose checksum fails stops for good with a Corruption status, and a
// file name but no key. scan_column_family notes the damage and seeks past it: from the last key it read, it
// adds a step that doubles until a seek succeeds, then bisects back to the smallest target that seeks, so
// only the keys of the unreadable block (or blocks) are skipped. Keys are compared as big-endian numbers of
// max(16, key length) bytes, which covers every key shape of the store (digests, seeds, item names).
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "silico/store/store.hpp"
#include "store_impl.hpp"

namespace silico::store {

using EntryVisitor = std::function<void(std::string_view key, std::string_view value)>;

// Calls `visit` for every readable entry of `which` in key order (checksums verified); appends one Damage per
// unreadable range. Fails only when the column family cannot be read at all for another reason than
// corruption (an I/O error).
Status scan_column_family(const Store::Impl& impl, Cf which, const EntryVisitor& visit,
                          std::vector<VerifyReport::Damage>& damaged);

}  // namespace silico::store
