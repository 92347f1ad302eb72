fn main() -> std::process::ExitCode {
    herd::cli::main("herd-test", herd::tools::test::run)
}
