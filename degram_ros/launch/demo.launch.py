# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""Demo without a microphone: wav_publisher plays a file (looping) into degram_node.

    ros2 launch degram_ros demo.launch.py wav_file:=/path/clip.wav
    ros2 launch degram_ros demo.launch.py wav_file:=/path/voices.wav task:=speaker_id
    ros2 launch degram_ros demo.launch.py wav_file:=/path/clip.wav model_path:=/path/model.pt

The parameter set follows the task: config/<task>.yaml (sound_event.yaml: the 2 s windows the
shipped sound_event model needs; speaker_id.yaml), and model_path defaults to the shipped model
of that task.  wav_publisher publishes audio_stamped (capture stamps) and audio_info; degram_node
listens with stamped:=true.  With start_degram:=false only wav_publisher starts (used by
degram.launch.py).
"""
from launch import LaunchDescription
from launch.actions import DeclareLaunchArgument
from launch.conditions import IfCondition
from launch.substitutions import LaunchConfiguration, PathJoinSubstitution
from launch_ros.actions import Node
from launch_ros.substitutions import FindPackageShare


def generate_launch_description():
    share = FindPackageShare('degram_ros')
    namespace = LaunchConfiguration('namespace')
    task = LaunchConfiguration('task')
    return LaunchDescription([
        DeclareLaunchArgument('wav_file', description='WAV/FLAC/Ogg file to play'),
        DeclareLaunchArgument('namespace', default_value=''),
        DeclareLaunchArgument('task', default_value='sound_event',
                              description='sound_event | speaker_id: picks config/<task>.yaml and '
                                          'the default model'),
        DeclareLaunchArgument('params_file',
                              default_value=PathJoinSubstitution([share, 'config', [task, '.yaml']]),
                              description='degram_node parameters; default config/<task>.yaml'),
        DeclareLaunchArgument('model_path', default_value=task,
                              description='checkpoint or shipped model; default the shipped model '
                                          'of task'),
        DeclareLaunchArgument('device', default_value='auto'),
        DeclareLaunchArgument('rate', default_value='1.0', description='playback speed'),
        DeclareLaunchArgument('start_degram', default_value='true'),
        Node(
            package='degram_ros', executable='wav_publisher', name='wav_publisher',
            namespace=namespace, output='screen',
            parameters=[{'file': LaunchConfiguration('wav_file'), 'loop': True,
                         'rate': LaunchConfiguration('rate'), 'chunk_length': 0.1}],
        ),
        Node(
            package='degram_ros', executable='degram_node', name='degram_node',
            namespace=namespace, output='screen', emulate_tty=True,
            condition=IfCondition(LaunchConfiguration('start_degram')),
            parameters=[LaunchConfiguration('params_file'),
                        {'stamped': True, 'model_path': LaunchConfiguration('model_path'),
                         'device': LaunchConfiguration('device')}],
        ),
    ])
