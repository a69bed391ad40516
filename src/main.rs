/// mimalloc: the build makes millions of small allocations (Markdown events,
/// template values, page strings) across rayon's threads; glibc malloc was
/// about a quarter of the site build's CPU time (bench/PROFILE.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    cairn::cli::main()
}
