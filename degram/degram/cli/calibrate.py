# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""`degram calibrate`: per-class thresholds and a level gate for a sound-event model, or (with
--speakers) the cosine threshold and score scale of a speaker-embedding model, stored in a copy of
the checkpoint (what the node, `degram identify` and `degram eval` then use)."""
from __future__ import annotations

import sys

from .common import add_data_root_argument, add_model_argument


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser(
        'calibrate', help='calibrate per-class thresholds on validation windows and out-of-set audio',
        description='Score the validation clips of DATA and the --negatives recordings window by window '
        '(the node\'s window and hop), choose the lowest global threshold that keeps false detections on '
        'the negatives at or below --max-false-rate, raise each class to its best F1 on the validation '
        'windows, and write a copy of the checkpoint with thresholds and min_level_db in its metadata. '
        'Use negatives that neither training nor the final evaluation uses. '
        'With --speakers SPEC instead (speakers that neither training nor the final evaluation uses, e.g. '
        'voices:dev-a): enrol the first --enrol utterances of each speaker, choose the lowest cosine threshold '
        'at which at most --max-false-rate of the strangers\' utterances (4 rotations, a quarter of the '
        'speakers left out each) are named, fit the score scale by logistic regression (Platt) on target '
        'and non-target scores, and write speaker_threshold, speaker_score_scale, embedding_model, '
        'min_speech_ratio, window_length 2 and hop_length 1 into the copy\'s metadata. With --cohort SPEC '
        '(e.g. voices: the training speakers) the copy also ships one embedding per cohort speaker '
        '(speaker_cohort), and threshold and scale are calibrated on AS-norm scores against it.')
    add_model_argument(parser, flag=True)
    parser.add_argument('--data', metavar='SPEC', help='labelled clips (their validation split)')
    parser.add_argument('--speakers', metavar='SPEC', help='calibrate a speaker-embedding model on these speakers')
    parser.add_argument('--validation', metavar='GROUPS', help='validation groups (default: the checkpoint\'s)')
    parser.add_argument('--negatives', action='append', metavar='SOURCE',
                        help='file, folder or glob of out-of-set audio (relative to the data root); repeatable')
    parser.add_argument('--max-false-rate', type=float, default=0.02,
                        help='false detections allowed per negative window; --speakers: share of stranger '
                        'utterances named (default 0.02)')
    parser.add_argument('--enrol', type=int, default=3, metavar='K',
                        help='--speakers: utterances enrolled per speaker (default 3)')
    parser.add_argument('--min-speech-ratio', type=float, default=0.3,
                        help='--speakers: the voice gate written into the metadata (default 0.3)')
    parser.add_argument('--cohort', metavar='SPEC', help='--speakers: AS-norm against one embedding per speaker of '
                        'SPEC\'s training utterances (use the training speakers, never the evaluation ones)')
    parser.add_argument('--cohort-per-speaker', type=int, default=4, metavar='N',
                        help='--cohort: utterances averaged per cohort speaker (default 4)')
    parser.add_argument('--cache', metavar='DIR', help='--speakers: keep VAD results and embeddings in DIR')
    parser.add_argument('--num-threads', type=int, help='torch CPU threads')
    parser.add_argument('--min-level-db', type=float, default=-65.0,
                        help='windows quieter than this (dBFS RMS) are silence (default -65)')
    parser.add_argument('--window', type=float, help='seconds (default: the checkpoint\'s window_length, else 1)')
    parser.add_argument('--hop', type=float, help='seconds (default: the checkpoint\'s hop_length, else 0.5)')
    add_data_root_argument(parser)
    parser.add_argument('--name', help='model name stored in the copy (default: the source\'s)')
    parser.add_argument('--half', action='store_true', help='store fp16 weights (how shipped models are kept)')
    parser.add_argument('-o', '--output', required=True, help='the calibrated checkpoint')
    parser.set_defaults(func=run)


def run(args) -> int:
    import numpy as np

    if args.num_threads:
        import torch

        torch.set_num_threads(int(args.num_threads))
    if bool(args.data) == bool(args.speakers):
        print('degram calibrate: error: give one of --data SPEC (with --negatives) or --speakers SPEC', file=sys.stderr)
        return 2
    if args.speakers:
        return _speakers(args)
    if not args.negatives:
        print('degram calibrate: error: --data needs --negatives SOURCE', file=sys.stderr)
        return 2

    from ..data import DatasetError, find_data_root, list_audio_files
    from ..evaluation import select_split
    from ..evaluation.windows import calibrate_thresholds, score_recordings
    from ..inference import load_checkpoint, save_checkpoint

    ckpt = load_checkpoint(args.model)
    window, hop = ckpt.metadata.window_and_hop(args.window, args.hop)
    try:
        dataset, idx, groups, _ = select_split(ckpt, args.data, 'val', args.validation, args.data_root)
        root = find_data_root(args.data_root)
        negatives = [f for source in args.negatives for f in list_audio_files(source, root)]
    except DatasetError as exc:
        print(f'degram calibrate: error: {exc}', file=sys.stderr)
        return 1
    position = {label: i for i, label in enumerate(ckpt.labels)}
    targets = np.array([position[dataset.entries[i].label] for i in idx], dtype=np.int64)
    print(f'scoring {len(idx)} validation clips and {len(negatives)} negative recordings '
          f'({window} s windows, {hop} s hop)', flush=True)
    positives = score_recordings(ckpt, [(dataset.load(i), dataset.sample_rate) for i in idx], window, hop)
    negative_scores = score_recordings(ckpt, negatives, window, hop).louder_than(args.min_level_db)
    thresholds = calibrate_thresholds(positives, targets, negative_scores, args.max_false_rate)
    metadata = ckpt.metadata.replace(
        thresholds=[float(t) for t in thresholds], min_level_db=args.min_level_db, window_length=window,
        hop_length=hop, name=args.name or ckpt.metadata.name,
        calibration={'data': args.data, 'groups': groups, 'negatives': args.negatives,
                     'negative_windows': int(len(negative_scores.levels)), 'max_false_rate': args.max_false_rate})
    save_checkpoint(ckpt.model, args.output, labels=ckpt.labels, task=ckpt.task, half=args.half,
                    **metadata.to_dict())
    print(f'thresholds {thresholds.min():.2f} … {thresholds.max():.2f} (median {np.median(thresholds):.2f}), '
          f'gate {args.min_level_db:g} dBFS; wrote {args.output}')
    return 0


def _speakers(args) -> int:
    from ..data import DatasetError
    from ..evaluation.speaker_eval import HOP, WINDOW, calibrate_speakers, cohort_embeddings
    from ..inference import load_checkpoint, save_checkpoint

    ckpt = load_checkpoint(args.model)
    ckpt.metadata = ckpt.metadata.replace(speaker_cohort=None, speaker_threshold=None)   # re-calibrated below
    try:
        cohort = None
        if args.cohort:
            cohort, _ = cohort_embeddings(ckpt, args.cohort, per_speaker=args.cohort_per_speaker,
                                          data_root=args.data_root, cache=args.cache)
        report = calibrate_speakers(ckpt, args.speakers, data_root=args.data_root, enrol=args.enrol,
                                    max_far=args.max_false_rate, cache=args.cache, cohort=cohort)
    except (DatasetError, ValueError) as exc:
        print(f'degram calibrate: error: {exc}', file=sys.stderr)
        return 1
    if cohort is not None:
        report['cohort'] = {'spec': args.cohort, 'speakers': int(len(cohort)), 'per_speaker': args.cohort_per_speaker}
    metadata = ckpt.metadata.replace(
        embedding_model=True, speaker_threshold=report['threshold'], speaker_score_scale=report['scale'],
        min_speech_ratio=args.min_speech_ratio, window_length=WINDOW, hop_length=HOP, speaker_calibration=report,
        name=args.name or ckpt.metadata.name,
        speaker_cohort=None if cohort is None else [[round(float(x), 5) for x in row] for row in cohort])
    save_checkpoint(ckpt.model, args.output, labels=ckpt.labels, task=ckpt.task, half=args.half,
                    **metadata.to_dict())
    c = report['counts']
    print(f"speaker threshold {report['threshold']:.4f} ({report['scores']}), score scale {report['scale']:.2f} "
          f"on {args.speakers} "
          f"({c['speakers']} speakers, {c['utterances']} utterances): stranger FAR {report['far']:.4f} "
          f"({c['stranger_trials']} trials), named {report['named']:.4f}, EER {report['verification']['eer']:.4f}; "
          f'wrote {args.output}')
    return 0
