// A blocking queue of fixed capacity between two pipeline stages: the producer waits when it is
// full (memory stays bounded), the consumer when it is empty. close() ends it from the producer
// side (the consumer drains what is left); cancel() ends it at once from either side.
#pragma once
#include <condition_variable>
#include <deque>
#include <mutex>

namespace nerv {

template <class T>
class BoundedQueue {
 public:
  explicit BoundedQueue(size_t capacity) : cap_(capacity ? capacity : 1) {}

  // False if the queue was cancelled (the item is dropped).
  bool push(T item) {
    std::unique_lock<std::mutex> l(m_);
    not_full_.wait(l, [&] { return q_.size() < cap_ || cancelled_; });
    if (cancelled_) return false;
    q_.push_back(std::move(item));
    not_empty_.notify_one();
    return true;
  }
  // False once the queue is closed and drained, or cancelled.
  bool pop(T& out) {
    std::unique_lock<std::mutex> l(m_);
    not_empty_.wait(l, [&] { return !q_.empty() || closed_ || cancelled_; });
    if (cancelled_ || q_.empty()) return false;
    out = std::move(q_.front());
    q_.pop_front();
    not_full_.notify_one();
    return true;
  }
  void close() {
    std::lock_guard<std::mutex> l(m_);
    closed_ = true;
    not_empty_.notify_all();
  }
  void cancel() {
    std::lock_guard<std::mutex> l(m_);
    cancelled_ = true;
    q_.clear();
    not_empty_.notify_all();
    not_full_.notify_all();
  }
  size_t size() const {
    std::lock_guard<std::mutex> l(m_);
    return q_.size();
  }

 private:
  mutable std::mutex m_;
  std::condition_variable not_full_, not_empty_;
  std::deque<T> q_;
  size_t cap_;
  bool closed_ = false, cancelled_ = false;
};

}  // namespace nerv
