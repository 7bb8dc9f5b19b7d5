{
  "targets": [
    {
      "target_name": "spo_native_matmul",
      "sources": ["src/native-matmul.cc"],
      "cflags_cc": ["-O2"],
      "libraries": ["-ldl"]
    }
  ]
}
