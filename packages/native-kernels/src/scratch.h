// Temporary float arrays for one kernel call, outside the WASM heap: each Take hands out an array of its
// own (kept between calls, so a steady workload allocates nothing), valid until the next Reset.
#pragma once
#include <cstdint>
#include <memory>
#include <vector>

namespace spo {

class Scratch {
 public:
  void Reset() { next_ = 0; }
  float* Take(int64_t floats) {
    if (next_ == arrays_.size()) arrays_.push_back(std::make_unique<std::vector<float>>());
    std::vector<float>& a = *arrays_[next_++];
    if (int64_t(a.size()) < floats) a.resize(size_t(floats));
    return a.data();
  }

 private:
  std::vector<std::unique_ptr<std::vector<float>>> arrays_;
  size_t next_ = 0;
};

}  // namespace spo
