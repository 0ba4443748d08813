"""The claim worksheet ("Use code") and claim checks over the database's edit tables."""
