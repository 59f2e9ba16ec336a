"""rootcause"""
