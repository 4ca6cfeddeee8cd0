#!/usr/bin/env python3
"""A text classifier with a string input, exported the way skl2onnx exports a CountVectorizer +
LogisticRegression pipeline (StringNormalizer -> Tokenizer -> TfIdfVectorizer -> LinearClassifier),
written with onnx.helper since skl2onnx is not packaged in Debian.

Run with Debian's packages (apt-get install python3-sklearn python3-onnx):
    /usr/bin/python3 scripts/models/make_text_model.py

Writes test/fixtures/models/text/: sentiment.onnx (input `text` string [N, 1]; outputs `label`
string [N] and `probabilities` float [N, 2]), eval.csv (text, sentiment) and expected.json with
scikit-learn's predict / predict_proba and accuracy on eval.csv.
"""
import csv
import json
import os

import numpy as np
import onnx
from onnx import TensorProto, helper
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.linear_model import LogisticRegression

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "..", "test", "fixtures", "models", "text")

GOOD = "good great excellent fine lovely nice superb happy pleasant wonderful".split()
BAD = "bad awful terrible poor horrible nasty sad dreadful ugly boring".split()
FILLER = "the movie was and plot acting really quite a bit story".split()


def corpus(n, seed):
    rng = np.random.default_rng(seed)
    texts, labels = [], []
    for _ in range(n):
        positive = rng.random() < 0.5
        words = list(rng.choice(FILLER, size=4))
        pool = GOOD if positive else BAD
        words += list(rng.choice(pool, size=int(rng.integers(1, 3))))
        # some noise: a word from the other side
        if rng.random() < 0.6:
            words.append(rng.choice(BAD if positive else GOOD))
        rng.shuffle(words)
        texts.append(" ".join(words).capitalize())
        labels.append("positive" if positive else "negative")
    return texts, labels


def main():
    os.makedirs(OUT, exist_ok=True)
    x_train, y_train = corpus(400, 1)
    x_eval, y_eval = corpus(120, 2)
    vec = CountVectorizer(lowercase=True, token_pattern=r"[a-z]+")
    clf = LogisticRegression(C=1.0, max_iter=1000)
    clf.fit(vec.fit_transform(x_train), y_train)

    vocab = sorted(vec.vocabulary_, key=vec.vocabulary_.get)
    nodes = [
        # StringNormalizer takes [C]: skl2onnx flattens the [N, 1] column first.
        helper.make_node("Reshape", ["text", "flat"], ["text_flat"]),
        helper.make_node("StringNormalizer", ["text_flat"], ["lowered"], case_change_action="LOWER", locale="C"),
        helper.make_node(
            "Tokenizer", ["lowered"], ["tokens"], domain="com.microsoft",
            mark=0, mincharnum=1, pad_value="#", separators=[" "],
        ),
        helper.make_node(
            "TfIdfVectorizer", ["tokens"], ["counts"], max_gram_length=1, max_skip_count=0,
            min_gram_length=1, mode="TF", ngram_counts=[0], ngram_indexes=list(range(len(vocab))),
            pool_strings=vocab,
        ),
        helper.make_node(
            "LinearClassifier", ["counts"], ["label", "scores"], domain="ai.onnx.ml",
            classlabels_strings=[str(c) for c in clf.classes_],
            coefficients=np.concatenate([-clf.coef_[0], clf.coef_[0]]).astype(float).tolist(),
            intercepts=[float(-clf.intercept_[0]), float(clf.intercept_[0])],
            multi_class=0, post_transform="LOGISTIC",
        ),
        helper.make_node("Normalizer", ["scores"], ["probabilities"], domain="ai.onnx.ml", norm="L1"),
    ]
    graph = helper.make_graph(
        nodes,
        "sentiment",
        [helper.make_tensor_value_info("text", TensorProto.STRING, [None, 1])],
        [
            helper.make_tensor_value_info("label", TensorProto.STRING, [None]),
            helper.make_tensor_value_info("probabilities", TensorProto.FLOAT, [None, 2]),
        ],
        [helper.make_tensor("flat", TensorProto.INT64, [1], [-1])],
    )
    model = helper.make_model(
        graph,
        producer_name="model-gate-tests",
        opset_imports=[helper.make_opsetid("", 13), helper.make_opsetid("ai.onnx.ml", 1), helper.make_opsetid("com.microsoft", 1)],
    )
    model.ir_version = 7
    onnx.save(model, os.path.join(OUT, "sentiment.onnx"))

    with open(os.path.join(OUT, "eval.csv"), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["review", "sentiment"])
        w.writerows(zip(x_eval, y_eval))
    proba = clf.predict_proba(vec.transform(x_eval))
    pred = clf.predict(vec.transform(x_eval))
    with open(os.path.join(OUT, "expected.json"), "w") as f:
        json.dump(
            {
                "classes": [str(c) for c in clf.classes_],
                "predict": [str(p) for p in pred],
                "predict_proba": proba.tolist(),
                "accuracy": float(np.mean(pred == np.array(y_eval))),
            },
            f,
            indent=1,
        )
    print(f"accuracy {np.mean(pred == np.array(y_eval)):.4f} on {len(y_eval)} rows, vocabulary {len(vocab)}")


if __name__ == "__main__":
    main()
