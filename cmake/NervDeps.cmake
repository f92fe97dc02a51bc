# Finds each dependency and, when one is missing, stops at configure time naming the
# Debian package that provides it.

macro(nerv_require_package name debian_pkg)
  find_package(${name} ${ARGN} QUIET)
  if(NOT ${name}_FOUND)
    message(FATAL_ERROR "${name} not found: install the Debian package '${debian_pkg}' "
                        "(apt-get install ${debian_pkg}) or run scripts/setup-deps.sh")
  endif()
endmacro()

nerv_require_package(nlohmann_json nlohmann-json3-dev 3.2)
nerv_require_package(Torch libtorch-dev)
set(CMAKE_CXX_FLAGS "${CMAKE_CXX_FLAGS} ${TORCH_CXX_FLAGS}")  # same C++ ABI as libtorch

if(NERV_WITH_FFMPEG)
  find_package(PkgConfig QUIET)
  if(NOT PkgConfig_FOUND)
    message(FATAL_ERROR "pkg-config not found: install the Debian package 'pkg-config'")
  endif()
  foreach(lib avformat avcodec swscale avutil)
    pkg_check_modules(NERV_${lib} QUIET IMPORTED_TARGET lib${lib})
    if(NOT NERV_${lib}_FOUND)
      message(FATAL_ERROR "lib${lib} not found: install the Debian package 'lib${lib}-dev' "
                          "(apt-get install lib${lib}-dev) or configure with -DNERV_WITH_FFMPEG=OFF")
    endif()
  endforeach()
endif()

if(NERV_BUILD_APP)
  nerv_require_package(CLI11 libcli11-dev)
endif()

if(NERV_BUILD_TESTS)
  nerv_require_package(GTest libgtest-dev)
endif()

# OpenCV's highgui for the playback window. Only the three modules are looked up (their -dev
# packages), not the whole of libopencv-dev, which pulls in dozens more.
if(NERV_WITH_OPENCV)
  find_path(NERV_OPENCV_INCLUDE_DIR opencv2/highgui.hpp PATH_SUFFIXES opencv4)
  set(NERV_OPENCV_LIBS "")
  foreach(m core imgproc highgui)
    find_library(NERV_OPENCV_${m} opencv_${m})
    if(NOT NERV_OPENCV_${m} OR NOT NERV_OPENCV_INCLUDE_DIR)
      message(FATAL_ERROR "OpenCV ${m} not found: install the Debian package 'libopencv-${m}-dev' "
                          "or configure with -DNERV_WITH_OPENCV=OFF (headless playback only)")
    endif()
    list(APPEND NERV_OPENCV_LIBS ${NERV_OPENCV_${m}})
  endforeach()
endif()
