// Reading a column family past unreadable blocks (scan.hpp).
#include "scan.hpp"

#include <algorithm>
#include <memory>

namespace silico::store {

namespace {

using Number = std::vector<unsigned char>;  // big-endian, fixed width

Number to_number(std::string_view key, std::size_t width) {
    Number n(width, 0);
    std::copy_n(key.begin(), std::min(key.size(), width), n.begin());
    return n;
}

std::string to_key(const Number& n) {
    return std::string(n.begin(), n.end());
}

// a + 2^bit, saturating at the largest number (false when it saturated).
bool add_power(Number& a, std::size_t bit) {
    std::size_t i = a.size() - 1 - bit / 8;
    unsigned carry = 1u << (bit % 8);
    for (;; --i) {
        const unsigned sum = a[i] + carry;
        a[i] = static_cast<unsigned char>(sum & 0xff);
        carry = sum >> 8;
        if (carry == 0) return true;
        if (i == 0) break;
    }
    std::fill(a.begin(), a.end(), 0xff);
    return false;
}

// floor((a + b) / 2)
Number midpoint(const Number& a, const Number& b) {
    Number sum(a.size() + 1, 0);
    unsigned carry = 0;
    for (std::size_t i = a.size(); i-- > 0;) {
        const unsigned s = a[i] + b[i] + carry;
        sum[i + 1] = static_cast<unsigned char>(s & 0xff);
        carry = s >> 8;
    }
    sum[0] = static_cast<unsigned char>(carry);
    Number half(a.size(), 0);
    for (std::size_t i = 0; i < a.size(); ++i)
        half[i] = static_cast<unsigned char>(((sum[i] & 1u) << 7) | (sum[i + 1] >> 1));
    return half;
}

std::string hex(std::string_view bytes) {
    static const char* digits = "0123456789abcdef";
    std::string out;
    for (unsigned char c : bytes) {
        out += digits[c >> 4];
        out += digits[c & 15];
    }
    return out;
}

rocksdb::ReadOptions verified() {
    rocksdb::ReadOptions read;
    read.verify_checksums = true;
    read.fill_cache = false;
    return read;
}

// Whether a fresh iterator can seek to `target` and read the entry it lands on.
bool seeks(const Store::Impl& impl, Cf which, const std::string& target) {
    std::unique_ptr<rocksdb::Iterator> it(impl.db->NewIterator(verified(), impl.cf(which)));
    it->Seek(target);
    if (it->Valid()) (void)it->value();
    return it->status().ok();
}

// The smallest target after `last` (the last key read, "" before the first) at which reading can go on:
// every target between `last` and the end of the unreadable block fails to seek, every one after succeeds.
// Returns "" with *at_end when nothing after the damage can be read.
std::string resume_after(const Store::Impl& impl, Cf which, std::string_view last, bool* at_end) {
    const std::size_t width = std::max<std::size_t>(16, last.size() + 1);
    const Number base = to_number(last, width);
    Number lo = base, hi = base;  // lo: a bound below every target that seeks; hi: a target that seeks
    bool found = false;
    for (std::size_t bit = 0; bit < width * 8; ++bit) {
        hi = base;
        const bool fits = add_power(hi, bit);
        if (seeks(impl, which, to_key(hi))) {
            found = true;
            break;
        }
        lo = hi;
        if (!fits) break;
    }
    *at_end = !found;
    if (!found) return {};
    for (Number mid = midpoint(lo, hi); mid != lo; mid = midpoint(lo, hi)) {
        if (seeks(impl, which, to_key(mid)))
            hi = mid;
        else
            lo = mid;
    }
    return to_key(hi);
}

}  // namespace

Status scan_column_family(const Store::Impl& impl, Cf which, const EntryVisitor& visit,
                          std::vector<VerifyReport::Damage>& damaged) {
    std::string last;
    bool first = true;
    std::string target;  // where the next iterator starts; "" = the first key
    for (;;) {
        std::unique_ptr<rocksdb::Iterator> it(impl.db->NewIterator(verified(), impl.cf(which)));
        if (first) {
            it->SeekToFirst();
        } else {
            it->Seek(target);
        }
        for (; it->Valid(); it->Next()) {
            const rocksdb::Slice value = it->value();
            if (!it->status().ok()) break;
            last = it->key().ToString();
            visit(last, value.ToStringView());
        }
        const rocksdb::Status s = it->status();
        if (s.ok()) return {};
        if (!s.IsCorruption())
            return std::unexpected(rocks_error(
                s, impl.dir, "reading the column family " + std::string(k_column_families[which])));
        bool at_end = false;
        target = resume_after(impl, which, last, &at_end);
        damaged.push_back(
            {k_column_families[which], hex(last), at_end ? std::string() : hex(target), s.ToString()});
        if (at_end) return {};
        first = false;
    }
}

}  // namespace silico::store
