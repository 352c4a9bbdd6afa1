#include "protocol/resp_parser.h"

#include <cctype>
#include <climits>
#include <cstring>

#include "protocol/numbers.h"

namespace redwing {
namespace {

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool IsSpace(char c) {
  return std::isspace(static_cast<unsigned char>(c)) != 0;
}

}  // namespace

bool SplitInlineArgs(std::string_view line, std::string* storage, std::vector<size_t>* lengths) {
  size_t i = 0;
  const size_t n = line.size();
  while (true) {
    while (i < n && IsSpace(line[i]))
      ++i;
    if (i == n) return true;
    size_t start = storage->size();
    bool in_double = false, in_single = false, done = false;
    while (!done) {
      if (in_double) {
        if (i == n) return false;
        char c = line[i];
        if (c == '\\' && i + 3 < n && line[i + 1] == 'x' && HexDigit(line[i + 2]) >= 0 &&
            HexDigit(line[i + 3]) >= 0) {
          storage->push_back(static_cast<char>(HexDigit(line[i + 2]) * 16 + HexDigit(line[i + 3])));
          i += 4;
        } else if (c == '\\' && i + 1 < n) {
          char e = line[i + 1];
          switch (e) {
            case 'n':
              e = '\n';
              break;
            case 'r':
              e = '\r';
              break;
            case 't':
              e = '\t';
              break;
            case 'b':
              e = '\b';
              break;
            case 'a':
              e = '\a';
              break;
            default:
              break;
          }
          storage->push_back(e);
          i += 2;
        } else if (c == '"') {
          // A closing quote must be followed by a space or the end of the line.
          if (i + 1 < n && !IsSpace(line[i + 1])) return false;
          done = true;
          ++i;
        } else {
          storage->push_back(c);
          ++i;
        }
      } else if (in_single) {
        if (i == n) return false;
        char c = line[i];
        if (c == '\\' && i + 1 < n && line[i + 1] == '\'') {
          storage->push_back('\'');
          i += 2;
        } else if (c == '\'') {
          if (i + 1 < n && !IsSpace(line[i + 1])) return false;
          done = true;
          ++i;
        } else {
          storage->push_back(c);
          ++i;
        }
      } else {
        if (i == n) {
          done = true;
          break;
        }
        char c = line[i];
        if (IsSpace(c)) {
          done = true;
        } else if (c == '"') {
          in_double = true;
          ++i;
        } else if (c == '\'') {
          in_single = true;
          ++i;
        } else {
          storage->push_back(c);
          ++i;
        }
      }
    }
    lengths->push_back(storage->size() - start);
  }
}

void RespParser::ResetFrame() {
  multibulk_left_ = -1;
  bulk_len_ = -1;
  pos_ = 0;
  wanted_ = 0;
  spans_.clear();
}

RespParser::Status RespParser::Fail(std::string msg) {
  error_ = std::move(msg);
  ResetFrame();
  return Status::kError;
}

RespParser::Status RespParser::Parse(std::string_view input, size_t* consumed) {
  *consumed = 0;
  args_.clear();
  if (input.empty()) return Status::kNeedMore;
  if (multibulk_left_ < 0 && input[0] != '*') return ParseInline(input, consumed);
  return ParseMultibulk(input, consumed);
}

RespParser::Status RespParser::ParseInline(std::string_view input, size_t* consumed) {
  const void* nl = std::memchr(input.data(), '\n', input.size());
  if (nl == nullptr) {
    if (input.size() > kMaxInlineSize) return Fail("ERR Protocol error: too big inline request");
    return Status::kNeedMore;
  }
  size_t line_end = static_cast<size_t>(static_cast<const char*>(nl) - input.data());
  std::string_view line = input.substr(0, line_end);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  inline_storage_.clear();
  std::vector<size_t> lengths;
  if (!SplitInlineArgs(line, &inline_storage_, &lengths)) {
    return Fail("ERR Protocol error: unbalanced quotes in request");
  }
  size_t off = 0;
  for (size_t len : lengths) {
    args_.emplace_back(inline_storage_.data() + off, len);
    off += len;
  }
  *consumed = line_end + 1;
  return Status::kCommand;
}

RespParser::Status RespParser::ParseMultibulk(std::string_view input, size_t* consumed) {
  const char* base = input.data();
  const size_t size = input.size();
  if (multibulk_left_ < 0) {
    const void* cr = std::memchr(base, '\r', size);
    if (cr == nullptr) {
      if (size > kMaxInlineSize) return Fail("ERR Protocol error: too big mbulk count string");
      return Status::kNeedMore;
    }
    size_t cr_at = static_cast<size_t>(static_cast<const char*>(cr) - base);
    if (cr_at + 1 >= size) return Status::kNeedMore;  // need the '\n' too
    auto count = ParseInt64(std::string_view(base + 1, cr_at - 1));
    if (!count || *count > INT_MAX) return Fail("ERR Protocol error: invalid multibulk length");
    pos_ = cr_at + 2;
    if (*count <= 0) {
      *consumed = pos_;
      ResetFrame();
      return Status::kCommand;  // empty command: nothing to run
    }
    multibulk_left_ = *count;
    // Reserve for what is announced, but never trust a peer's count for a large allocation.
    spans_.reserve(static_cast<size_t>(*count < 1024 ? *count : 1024));
  }
  while (multibulk_left_ > 0) {
    if (bulk_len_ < 0) {
      if (pos_ >= size) return Status::kNeedMore;
      const void* cr = std::memchr(base + pos_, '\r', size - pos_);
      if (cr == nullptr) {
        if (size - pos_ > kMaxInlineSize) {
          return Fail("ERR Protocol error: too big bulk count string");
        }
        return Status::kNeedMore;
      }
      size_t cr_at = static_cast<size_t>(static_cast<const char*>(cr) - base);
      if (cr_at + 1 >= size) return Status::kNeedMore;
      if (base[pos_] != '$') {
        return Fail(std::string("ERR Protocol error: expected '$', got '") + base[pos_] + "'");
      }
      auto len = ParseInt64(std::string_view(base + pos_ + 1, cr_at - pos_ - 1));
      if (!len || *len < 0 || static_cast<uint64_t>(*len) > max_bulk_len_) {
        return Fail("ERR Protocol error: invalid bulk length");
      }
      bulk_len_ = *len;
      pos_ = cr_at + 2;
    }
    size_t need = pos_ + static_cast<size_t>(bulk_len_) + 2;
    if (size < need) {
      wanted_ = need;
      return Status::kNeedMore;
    }
    spans_.emplace_back(pos_, static_cast<size_t>(bulk_len_));
    pos_ = need;
    bulk_len_ = -1;
    --multibulk_left_;
  }
  args_.reserve(spans_.size());
  for (auto [off, len] : spans_)
    args_.emplace_back(base + off, len);
  *consumed = pos_;
  ResetFrame();
  return Status::kCommand;
}

}  // namespace redwing
