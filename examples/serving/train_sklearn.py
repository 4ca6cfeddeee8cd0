#!/usr/bin/env python3
"""Trains a scikit-learn classifier on the iris reference data and pickles it, for the command
runner example: python3 examples/serving/train_sklearn.py model.pkl"""
import csv
import pickle
import sys

from sklearn.linear_model import LogisticRegression

with open("examples/iris/reference.csv", newline="") as f:
    rows = list(csv.DictReader(f))
features = ["sepal_length", "sepal_width", "petal_length", "petal_width"]
X = [[float(r[c]) for c in features] for r in rows]
y = [int(r["species"]) for r in rows]
model = LogisticRegression(max_iter=1000).fit(X, y)
with open(sys.argv[1], "wb") as f:
    pickle.dump(model, f)
