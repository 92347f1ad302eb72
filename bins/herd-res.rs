fn main() -> std::process::ExitCode {
    herd::cli::main("herd-res", herd::tools::res::run)
}
