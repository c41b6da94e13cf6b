//! Rebuilds labrun when a built-in lesson changes: `include_dir!` tracks the
//! files it embedded, but not files added to or removed from the directories.

fn main() {
    println!("cargo:rerun-if-changed=lessons");
    println!("cargo:rerun-if-changed=assets");
}
