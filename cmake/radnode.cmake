# Shared build settings for radnode targets.

set(RADNODE_WARNINGS -Wall -Wextra -Wpedantic -Wnon-virtual-dtor $<$<CXX_COMPILER_ID:GNU>:-Wshadow=local>)

if(RADNODE_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
endif()

# radnode_module(NAME SOURCES ... DEPENDS ... PRIVATE_DEPENDS ...)
# Declares a module library; include paths are rooted at the repository so
# headers are included as "storage/instance_index.h".
function(radnode_module name)
  cmake_parse_arguments(M "" "" "SOURCES;DEPENDS;PRIVATE_DEPENDS" ${ARGN})
  add_library(${name} STATIC ${M_SOURCES})
  target_include_directories(${name} PUBLIC ${PROJECT_SOURCE_DIR} ${PROJECT_BINARY_DIR}/generated)
  target_compile_options(${name} PRIVATE ${RADNODE_WARNINGS})
  target_link_libraries(${name} PUBLIC ${M_DEPENDS} PRIVATE ${M_PRIVATE_DEPENDS})
  set_property(TARGET ${name} PROPERTY RADNODE_MODULE_DEPS "${M_DEPENDS};${M_PRIVATE_DEPENDS}")
endfunction()

# radnode_check_module_deps(MODULE "allowed,radnode,modules" ...)
# Fails the configure step when a module links a radnode module it may not use,
# so the inward-pointing dependency graph is enforced rather than hoped for.
function(radnode_check_module_deps)
  set(args ${ARGN})
  list(LENGTH args n)
  math(EXPR last "${n} - 1")
  foreach(i RANGE 0 ${last} 2)
    math(EXPR j "${i} + 1")
    list(GET args ${i} module)
    list(GET args ${j} allowed)
    string(REPLACE "," ";" allowed "${allowed}")
    get_property(deps TARGET ${module} PROPERTY RADNODE_MODULE_DEPS)
    foreach(dep IN LISTS deps)
      if(dep MATCHES "^radnode_" AND NOT dep IN_LIST allowed)
        message(FATAL_ERROR "${module} may not depend on ${dep} (allowed: ${allowed})")
      endif()
    endforeach()
  endforeach()
endfunction()
