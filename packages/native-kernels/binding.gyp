{
  "targets": [
    {
      "target_name": "spo_native_kernels",
      "sources": ["src/native-kernels.cc", "src/elementwise.cc", "src/elementwise-avx2.cc", "src/gpt2-block.cc", "src/blas.cc", "src/optimizer.cc"],
      "cflags_cc": ["-O3", "-ffp-contract=off", "-fno-trapping-math"],
      "libraries": ["-ldl"]
    }
  ]
}
