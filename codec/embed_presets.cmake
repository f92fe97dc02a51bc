# Generates presets.cpp: each configs/<name>.json becomes an embedded string, so presets work
# wherever the binary is run. Invoked at build time with -DCONFIG_DIR and -DOUT.
file(GLOB files "${CONFIG_DIR}/*.json")
list(SORT files)
set(body "")
foreach(f ${files})
  get_filename_component(name ${f} NAME_WE)
  file(READ ${f} text)
  string(APPEND body "      {\"${name}\", R\"nervjson(${text})nervjson\"},\n")
endforeach()
file(WRITE ${OUT}.tmp "// Generated from configs/*.json by codec/embed_presets.cmake. Do not edit.\n"
  "#include \"codec/presets.h\"\n\nnamespace nerv {\n\n"
  "const std::vector<EmbeddedPreset>& embedded_presets() {\n"
  "  static const std::vector<EmbeddedPreset> presets = {\n${body}  };\n  return presets;\n}\n\n"
  "}  // namespace nerv\n")
file(COPY_FILE ${OUT}.tmp ${OUT} ONLY_IF_DIFFERENT)
