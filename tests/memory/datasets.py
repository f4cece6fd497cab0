"""Dataset descriptions written for the tests, in the shape scikit-learn ships them (reST
field lists, a table, wrapped prose): the iris answer is "Number of Instances: 150"."""

from __future__ import annotations

IRIS = """.. _iris_dataset:

Iris plants dataset
--------------------

**Data Set Characteristics:**

:Number of Instances: 150 (50 in each of three classes)
:Number of Attributes: 4 numeric, predictive attributes and the class
:Attribute Information:
    - sepal length in cm
    - sepal width in cm
    - petal length in cm
    - petal width in cm
    - class:
            - Iris-Setosa
            - Iris-Versicolour
            - Iris-Virginica

:Missing Attribute Values: None
:Class Distribution: 33.3% for each of 3 classes.
:Creator: R.A. Fisher
:Date: July, 1988

============== ==== ==== ======= ===== ====================
                Min  Max   Mean    SD   Class Correlation
============== ==== ==== ======= ===== ====================
sepal length:   4.3  7.9   5.84   0.83    0.7826
petal width:    0.1  2.5   1.20   0.76    0.9565  (high!)
============== ==== ==== ======= ===== ====================

The famous Iris database, first used by Sir R.A. Fisher. The dataset is taken
from Fisher's paper. Note that it's the same as in R, but not as in the UCI
Machine Learning Repository, which has two wrong data points.

This is perhaps the best known database to be found in the
pattern recognition literature.  Fisher's paper is a classic in the field and
is referenced frequently to this day.
"""

WINE = """Wine recognition dataset
------------------------

:Number of Instances: 178
:Number of Attributes: 13 numeric, predictive attributes and the class

The data is the results of a chemical analysis of wines grown in the same
region in Italy by three different cultivators. There are thirteen different
measurements taken for different constituents found in the three types of
wine.
"""

BACKUPS = """# Backups

The production database is copied every night at 02:00 to an offsite
bucket. Copies are kept for 35 days. The ops team tests a full restore on the
first Monday of every month.

| server | schedule |
|--------|----------|
| db-1   | nightly  |
"""

FILES = {"iris.rst": IRIS, "wine.rst": WINE, "backups.md": BACKUPS}
