fn main() {
    println!("headcount {}", env!("CARGO_PKG_VERSION"));
}
