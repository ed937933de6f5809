# Sources of silico_recipes beyond the ISF .param reader (included by recipes/CMakeLists.txt).
list(APPEND SILICO_RECIPES_SOURCES
  src/anatomy_step.cpp
  src/diagnostics.cpp
  src/key_path.cpp
  src/param_toml.cpp
  src/plan.cpp
  src/recipe.cpp
  src/schema.cpp
  src/spec.cpp
  src/toml_tree.cpp
  src/trial_key.cpp
  src/trial_request.cpp
  src/validator.cpp)
