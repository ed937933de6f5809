// Serialisation of trial records and item metadata (private). The grammar is in record.cpp.
#pragma once

#include <string>
#include <string_view>

#include "silico/store/store.hpp"

namespace silico::store {

std::string encode_record(const TrialRecord& record);
// Errc::corruption for malformed bytes, Errc::version for a record from a newer format.
Result<TrialRecord> decode_record(std::string_view bytes);
// The first of "seed", "sweep" and "condition" that an isf-mode record lacks (it cannot be registered);
// empty when nothing is missing or the record is not in isf mode.
std::string_view missing_isf_field(const TrialRecord& record);

std::string encode_item_meta(const ItemMeta& meta);
Result<ItemMeta> decode_item_meta(std::string_view bytes);

}  // namespace silico::store
