# Generates embedded_priors.cpp: each priors/<name>.prior (and each <name>.predictor) becomes a
# byte array, so the priors a stream may name, and the shipped predictors, are wherever the
# binary is. Invoked at build time with -DPRIOR_DIR and -DOUT.
file(GLOB files "${PRIOR_DIR}/*.prior" "${PRIOR_DIR}/*.predictor")
list(SORT files)
set(arrays "")
set(entries "")
set(i 0)
foreach(f ${files})
  get_filename_component(name ${f} NAME)
  file(READ ${f} hex HEX)
  string(LENGTH "${hex}" n)
  math(EXPR bytes "${n} / 2")
  string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," hex "${hex}")
  string(APPEND arrays "const uint8_t prior${i}[] = {${hex}};\n")
  string(APPEND entries "      {\"${name}\", prior${i}, ${bytes}},\n")
  math(EXPR i "${i} + 1")
endforeach()
file(WRITE ${OUT}.tmp "// Generated from priors/*.prior and *.predictor by codec/embed_priors.cmake. Do not edit.\n"
  "#include \"codec/embedded_priors.h\"\n\nnamespace nerv {\nnamespace {\n${arrays}}  // namespace\n\n"
  "const std::vector<EmbeddedPrior>& embedded_priors() {\n"
  "  static const std::vector<EmbeddedPrior> priors = {\n${entries}  };\n  return priors;\n}\n\n"
  "}  // namespace nerv\n")
file(COPY_FILE ${OUT}.tmp ${OUT} ONLY_IF_DIFFERENT)
