//! Build script: compiles HarfBuzz's subsetter (`harfbuzz-subset.cc`) from
//! the HarfBuzz source that harfbuzz-sys builds, which leaves it out.

fn main() {
    let include = std::env::var("DEP_HARFBUZZ_INCLUDE")
        .expect("harfbuzz-sys (feature `bundled`) gives its source folder");
    cc::Build::new()
        .cpp(true)
        .flag_if_supported("-std=c++11")
        .warnings(false)
        .define("HAVE_PTHREAD", "1")
        .file(format!("{include}/harfbuzz-subset.cc"))
        .compile("quire_harfbuzz_subset");
    println!("cargo:rerun-if-changed=src/fonts/harfbuzz_build.rs");
}
