{
  "targets": [
    {
      "target_name": "spo_native_kernels",
      "sources": ["src/native-kernels.cc"],
      "cflags_cc": ["-O3", "-ffp-contract=off", "-fno-trapping-math"]
    }
  ]
}
