{
  "targets": [
    {
      "target_name": "spo_native_loop",
      "sources": ["src/native-loop.cc"],
      "cflags_cc": ["-O2"]
    }
  ]
}
