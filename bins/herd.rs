fn main() -> std::process::ExitCode {
    herd::cli::main("herd", herd::tools::herd::run)
}
