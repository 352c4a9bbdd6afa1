#include "server/mpsc_queue.h"

#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <thread>
#include <vector>

namespace redwing {
namespace {

struct Item {
  MpscNode node;  // first: a popped MpscNode* is the Item
  int producer = 0;
  int seq = 0;
};

Item* AsItem(MpscNode* n) {
  return reinterpret_cast<Item*>(n);
}

TEST(MpscQueueTest, EmptyQueuePopsNothing) {
  MpscQueue q;
  EXPECT_EQ(q.Pop(), nullptr);
  EXPECT_EQ(q.Pop(), nullptr);
}

TEST(MpscQueueTest, SingleThreadFifo) {
  MpscQueue q;
  std::vector<Item> items(10);
  for (int i = 0; i < 10; ++i) {
    items[static_cast<size_t>(i)].seq = i;
    q.Push(&items[static_cast<size_t>(i)].node);
  }
  for (int i = 0; i < 10; ++i) {
    MpscNode* n = q.Pop();
    ASSERT_NE(n, nullptr);
    EXPECT_EQ(AsItem(n)->seq, i);
  }
  EXPECT_EQ(q.Pop(), nullptr);
  // The queue keeps working after draining (the stub node is re-pushed internally).
  q.Push(&items[3].node);
  EXPECT_EQ(q.Pop(), &items[3].node);
  EXPECT_EQ(q.Pop(), nullptr);
}

TEST(MpscQueueTest, InterleavedPushPop) {
  MpscQueue q;
  std::vector<Item> items(100);
  int next_push = 0, next_pop = 0;
  for (int round = 0; round < 30; ++round) {
    for (int k = 0; k < round % 4 + 1 && next_push < 100; ++k) {
      items[static_cast<size_t>(next_push)].seq = next_push;
      q.Push(&items[static_cast<size_t>(next_push++)].node);
    }
    for (int k = 0; k < round % 3 + 1; ++k) {
      MpscNode* n = q.Pop();
      if (n == nullptr) break;
      EXPECT_EQ(AsItem(n)->seq, next_pop++);
    }
  }
  while (MpscNode* n = q.Pop())
    EXPECT_EQ(AsItem(n)->seq, next_pop++);
  EXPECT_EQ(next_pop, next_push);
}

TEST(MpscQueueTest, ManyProducersOneConsumer) {
  constexpr int kProducers = 4;
  constexpr int kPerProducer = 50000;
  std::vector<std::unique_ptr<Item[]>> items;
  for (int p = 0; p < kProducers; ++p)
    items.push_back(std::make_unique<Item[]>(kPerProducer));
  MpscQueue q;
  std::atomic<bool> go{false};
  std::vector<std::thread> producers;
  for (int p = 0; p < kProducers; ++p) {
    producers.emplace_back([&, p] {
      while (!go.load(std::memory_order_acquire))
        std::this_thread::yield();
      for (int i = 0; i < kPerProducer; ++i) {
        Item& it = items[static_cast<size_t>(p)][static_cast<size_t>(i)];
        it.producer = p;
        it.seq = i;  // written before Push: must be visible to the consumer after Pop
        q.Push(&it.node);
      }
    });
  }
  go.store(true, std::memory_order_release);

  std::vector<int> next(kProducers, 0);
  int received = 0;
  bool in_order = true;
  while (received < kProducers * kPerProducer) {
    MpscNode* n = q.Pop();
    if (n == nullptr) {
      std::this_thread::yield();
      continue;
    }
    Item* it = AsItem(n);
    if (it->producer < 0 || it->producer >= kProducers) {
      ADD_FAILURE() << "corrupt item: producer " << it->producer;
      break;  // producers never block, so joining below still works
    }
    int& expected = next[static_cast<size_t>(it->producer)];
    if (it->seq != expected) in_order = false;
    expected = it->seq + 1;
    ++received;
  }
  for (auto& t : producers)
    t.join();
  EXPECT_TRUE(in_order);
  for (int p = 0; p < kProducers; ++p)
    EXPECT_EQ(next[static_cast<size_t>(p)], kPerProducer) << "producer " << p;
  EXPECT_EQ(q.Pop(), nullptr);
}

}  // namespace
}  // namespace redwing
