# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""AS-norm (degram.speaker.normalisation): the formula, its invariances, and that it separates a
"hub" voice's impostors from its true trials where a raw cosine threshold cannot."""
import numpy as np
import pytest

from degram.speaker.normalisation import AdaptiveSNorm


def _unit(rows):
    rows = np.asarray(rows, dtype=np.float64)
    return rows / np.linalg.norm(rows, axis=-1, keepdims=True)


def test_the_formula_on_a_hand_computed_case():
    cohort = np.eye(4)[:3]                                 # three orthogonal impostors
    query, enrolled = _unit([[1.0, 1.0, 0.0, 0.0]]), _unit([[0.0, 0.0, 1.0, 1.0]])
    norm = AdaptiveSNorm(cohort, top_k=2)
    q_mean, q_std = norm.statistics(query)                 # best two of (0.707, 0.707, 0)
    assert q_mean[0] == pytest.approx(np.sqrt(0.5)) and q_std[0] == pytest.approx(1e-6)   # floored spread
    e_mean, e_std = norm.statistics(enrolled)              # best two of (0, 0, 0.707)
    assert e_mean[0] == pytest.approx(np.sqrt(0.5) / 2) and e_std[0] == pytest.approx(np.sqrt(0.5) / 2)
    score = float((query @ enrolled.T)[0, 0])
    expected = 0.5 * ((score - e_mean[0]) / e_std[0] + (score - q_mean[0]) / q_std[0])
    assert norm.normalise([[score]], query, enrolled)[0, 0] == pytest.approx(expected)


def test_scale_of_embeddings_and_order_of_the_cohort_change_nothing():
    rng = np.random.default_rng(0)
    cohort, queries, enrolled = rng.normal(size=(50, 16)), rng.normal(size=(5, 16)), rng.normal(size=(3, 16))
    scores = _unit(queries) @ _unit(enrolled).T
    a = AdaptiveSNorm(cohort, top_k=10).normalise(scores, queries, enrolled)
    b = AdaptiveSNorm(3.0 * cohort[::-1], top_k=10).normalise(scores, 7.0 * queries, 0.5 * enrolled)
    np.testing.assert_allclose(a, b, atol=1e-10)
    assert a.shape == (5, 3)


def test_a_hub_voice_that_is_close_to_everyone_is_normalised_back():
    """Speaker H sits near the middle of the population: every impostor scores high against H, so a raw
    cosine threshold that accepts H's true trials also accepts impostors. AS-norm separates both."""
    rng = np.random.default_rng(1)
    dim, centre = 32, _unit(rng.normal(size=32))
    population = _unit(rng.normal(size=(200, dim)) + 1.5 * centre)
    cohort, impostors = population[:150], population[150:]
    hub = _unit(centre + 0.05 * rng.normal(size=dim))
    loner = _unit(rng.normal(size=dim) - 1.0 * centre)
    true_hub = _unit(hub + 0.45 * rng.normal(size=(20, dim)) / np.sqrt(dim))
    true_loner = _unit(loner + 1.0 * rng.normal(size=(20, dim)) / np.sqrt(dim))   # a noisier channel
    enrolled = np.stack([hub, loner])
    norm = AdaptiveSNorm(cohort, top_k=50)

    def trials(queries):
        raw = queries @ enrolled.T
        return raw, norm.normalise(raw, queries, enrolled)
    raw_true = np.concatenate([trials(true_hub)[0][:, 0], trials(true_loner)[0][:, 1]])
    raw_imp = trials(impostors)[0].ravel()
    nrm_true = np.concatenate([trials(true_hub)[1][:, 0], trials(true_loner)[1][:, 1]])
    nrm_imp = trials(impostors)[1].ravel()
    # raw cosines: the hub's impostors overlap the loner's true trials; normalised: one threshold splits all
    assert raw_imp.max() > raw_true.min()
    assert nrm_imp.max() < nrm_true.min()


def test_bad_cohorts_and_shapes_are_errors():
    with pytest.raises(ValueError, match='at least 2'):
        AdaptiveSNorm(np.ones((1, 4)))
    with pytest.raises(ValueError, match='top_k'):
        AdaptiveSNorm(np.eye(4), top_k=1)
    norm = AdaptiveSNorm(np.eye(4), top_k=100)
    assert norm.top_k == 4
    with pytest.raises(ValueError, match='dimension'):
        norm.statistics(np.ones((2, 5)))
    with pytest.raises(ValueError, match='scores of shape'):
        norm.normalise(np.zeros((2, 2)), np.ones((1, 4)), np.ones((2, 4)))


# ------------------------------------------------------------ wiring: metadata → identify


class _Predictor:
    def __init__(self, **metadata):
        self.name, self.metadata = 'toy', metadata


class _Database:
    def __init__(self, names, rows):
        self.names_, self.rows = list(names), _unit(rows)

    def matrix(self):
        return self.names_, self.rows


def test_a_model_with_a_cohort_identifies_in_as_norm_units():
    from degram.speaker import identify, score_normaliser

    rng = np.random.default_rng(2)
    cohort = rng.normal(size=(40, 8))
    enrolled = rng.normal(size=(3, 8))
    query = enrolled[1] + 0.3 * rng.normal(size=8)
    assert score_normaliser(_Predictor(speaker_threshold=0.5)) is None          # cosine scoring
    norm = score_normaliser(_Predictor(speaker_cohort=cohort.tolist(), speaker_threshold=3.0))
    database = _Database(['a', 'b', 'c'], enrolled)
    raw = identify(query, database, threshold=0.5)
    normed = identify(query, database, threshold=3.0, normaliser=norm)
    expected = norm.normalise(_unit(query)[None] @ _unit(enrolled).T, _unit(query)[None], enrolled)[0]
    assert normed.candidates[0] == ('b', pytest.approx(expected[1]))
    assert [name for name, _ in normed.candidates] == [['a', 'b', 'c'][i] for i in np.argsort(-expected)]
    assert raw.score != pytest.approx(normed.score) and -1.0 <= raw.score <= 1.0
    assert normed.known == (expected.max() >= 3.0)


def test_a_threshold_beyond_a_cosine_needs_a_cohort():
    from degram.inference.metadata import MetadataError, ModelMetadata

    assert ModelMetadata.from_dict({'speaker_threshold': 3.5, 'speaker_cohort': [[1.0, 0.0], [0.0, 1.0]]}
                                   ).speaker_threshold == 3.5
    with pytest.raises(MetadataError, match='speaker_threshold.*speaker_cohort'):
        ModelMetadata.from_dict({'speaker_threshold': 3.5})


def test_a_one_row_cohort_is_a_clear_error():
    from degram.speaker import score_normaliser

    with pytest.raises(ValueError, match='toy: speaker_cohort: a cohort needs at least 2'):
        score_normaliser(_Predictor(speaker_cohort=[[1.0, 0.0]]))
