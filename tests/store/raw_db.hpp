// Opens a store's RocksDB directly, bypassing silico::store, to damage it the way a disk or a bug would.
#pragma once

#include <rocksdb/db.h>

#include <string>
#include <string_view>

#include "store_impl.hpp"

namespace silico::store::testing {

// Puts (or deletes, when value is nullopt) one raw key in a column family of a closed store.
inline bool write_raw(const std::filesystem::path& dir, Cf which, std::string_view key,
                      std::optional<std::string_view> value) {
    rocksdb::DBOptions options;
    std::vector<rocksdb::ColumnFamilyDescriptor> cfs;
    for (const char* name : k_column_families) cfs.emplace_back(name, rocksdb::ColumnFamilyOptions());
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    rocksdb::DB* db = nullptr;
    if (!rocksdb::DB::Open(options, db_path(dir).string(), cfs, &handles, &db).ok()) return false;
    const rocksdb::Slice k(key.data(), key.size());
    const bool ok = value ? db->Put(rocksdb::WriteOptions(), handles[which], k,
                                    rocksdb::Slice(value->data(), value->size()))
                                .ok()
                          : db->Delete(rocksdb::WriteOptions(), handles[which], k).ok();
    for (auto* h : handles) db->DestroyColumnFamilyHandle(h);
    delete db;
    return ok;
}

}  // namespace silico::store::testing
