#pragma once

#include <cstddef>

#include "storage/entry.h"

namespace redwing {

// A doubly linked list of keys threaded through their Entry links (Entry::has_links), circular
// around a sentinel block, so every operation is O(1) and a block that moves (Entry repoints its
// neighbours) stays in place in the list. Front = most recently inserted or moved.
//
// Not thread-safe: owned by an eviction policy of one database.
class KeyList {
 public:
  KeyList() : head_(Entry::New({}, ValueType::kString, Encoding::kString, {}, -1, true)) {
    Reset();
  }
  ~KeyList() { Entry::FreeBlock(head_); }
  KeyList(const KeyList&) = delete;
  KeyList& operator=(const KeyList&) = delete;

  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }

  void PushFront(Entry* e) {
    Entry* first = head_->list_next();
    e->set_list_prev(head_);
    e->set_list_next(first);
    first->set_list_prev(e);
    head_->set_list_next(e);
    ++size_;
  }
  void Remove(Entry* e) {
    Entry* prev = e->list_prev();
    Entry* next = e->list_next();
    prev->set_list_next(next);
    next->set_list_prev(prev);
    e->set_list_prev(nullptr);
    e->set_list_next(nullptr);
    --size_;
  }
  void MoveToFront(Entry* e) {
    if (head_->list_next() == e) return;
    Remove(e);
    PushFront(e);
  }
  // The oldest (least recently pushed or moved) key, or nullptr.
  Entry* Back() const { return size_ == 0 ? nullptr : head_->list_prev(); }
  Entry* Front() const { return size_ == 0 ? nullptr : head_->list_next(); }
  // The next key towards the back, or nullptr past the last.
  Entry* Next(const Entry* e) const {
    Entry* n = e->list_next();
    return n == head_ ? nullptr : n;
  }
  // Forgets every key (their blocks were freed or are about to be, with the table).
  void Reset() {
    head_->set_list_prev(head_);
    head_->set_list_next(head_);
    size_ = 0;
  }

 private:
  Entry* head_;
  size_t size_ = 0;
};

}  // namespace redwing
