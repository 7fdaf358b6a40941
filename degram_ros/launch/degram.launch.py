"""Start degram_node with its parameters from a YAML file.

    ros2 launch degram_ros degram.launch.py
    ros2 launch degram_ros degram.launch.py namespace:=robot1 audio_topic:=/audio/audio \\
        model_path:=/path/model.pt device:=cuda window_length:=1.0
    ros2 launch degram_ros degram.launch.py demo:=true wav_file:=/path/clip.wav

Parameters come from params_file (default: config/degram.yaml of this package); model_path,
task, device, backend, window_length and hop_length given here override the file (empty = keep
the file's value).
audio_topic / audio_info_topic remap the node's relative topics, e.g. to audio_capture's
/audio/audio and /audio/audio_info (start audio_capture with format:=wave).
"""
from launch import LaunchDescription
from launch.actions import DeclareLaunchArgument, IncludeLaunchDescription, OpaqueFunction
from launch.conditions import IfCondition
from launch.launch_description_sources import PythonLaunchDescriptionSource
from launch.substitutions import LaunchConfiguration, PathJoinSubstitution
from launch_ros.actions import Node
from launch_ros.substitutions import FindPackageShare


def _overrides(context):
    """Only the override arguments that were given (non-empty), typed for the node."""
    values = {}
    for name, cast in (('model_path', str), ('device', str), ('window_length', float),
                       ('hop_length', float), ('task', str), ('backend', str)):
        text = LaunchConfiguration(name).perform(context)
        if text != '':
            values[name] = cast(text)
    return values


def _node(context):
    return [Node(
        package='degram_ros',
        executable='degram_node',
        name='degram_node',
        namespace=LaunchConfiguration('namespace'),
        output='screen',
        emulate_tty=True,
        parameters=[LaunchConfiguration('params_file'), _overrides(context)],
        remappings=[
            ('audio', LaunchConfiguration('audio_topic')),
            ('audio_stamped', LaunchConfiguration('audio_stamped_topic')),
            ('audio_info', LaunchConfiguration('audio_info_topic')),
        ],
    )]


def generate_launch_description():
    share = FindPackageShare('degram_ros')
    return LaunchDescription([
        DeclareLaunchArgument('params_file',
                              default_value=PathJoinSubstitution([share, 'config', 'degram.yaml']),
                              description='YAML file with the degram_node parameters'),
        DeclareLaunchArgument('namespace', default_value='',
                              description='namespace of the node (and so of its topics)'),
        DeclareLaunchArgument('audio_topic', default_value='audio',
                              description='AudioData input topic (e.g. /audio/audio)'),
        DeclareLaunchArgument('audio_stamped_topic', default_value='audio_stamped',
                              description='AudioDataStamped input topic (with stamped:=true)'),
        DeclareLaunchArgument('audio_info_topic', default_value='audio_info',
                              description='AudioInfo topic (e.g. /audio/audio_info)'),
        DeclareLaunchArgument('model_path', default_value='',
                              description='checkpoint file or shipped model name; empty = file'),
        DeclareLaunchArgument('task', default_value='',
                              description='sound_event | speaker_id; empty = file/checkpoint'),
        DeclareLaunchArgument('device', default_value='',
                              description='auto | cpu | cuda | cuda:N; empty = file (auto)'),
        DeclareLaunchArgument('backend', default_value='',
                              description="torch | onnxruntime; empty = file (torch; onnxruntime "
                                          'for an .onnx model_path)'),
        DeclareLaunchArgument('window_length', default_value='',
                              description="seconds per inference; empty = file (0: the model's)"),
        DeclareLaunchArgument('hop_length', default_value='',
                              description="seconds between inferences; empty = file (0: the model's)"),
        DeclareLaunchArgument('demo', default_value='false',
                              description='also start wav_publisher playing wav_file (looping)'),
        DeclareLaunchArgument('wav_file', default_value='',
                              description='audio file for demo:=true'),
        OpaqueFunction(function=_node),
        IncludeLaunchDescription(
            PythonLaunchDescriptionSource(PathJoinSubstitution([share, 'launch',
                                                                'demo.launch.py'])),
            condition=IfCondition(LaunchConfiguration('demo')),
            launch_arguments={'namespace': LaunchConfiguration('namespace'),
                              'wav_file': LaunchConfiguration('wav_file'),
                              'start_degram': 'false'}.items(),
        ),
    ])
