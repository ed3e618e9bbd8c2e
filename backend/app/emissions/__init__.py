"""Pure emission calculators: (entry data, report year, factor index) -> emission rows. No I/O."""
