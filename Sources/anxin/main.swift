print("anxin")
